package org.beammlops.pipelines.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The code version a model was trained with, for the run's {@code mlflow.source.git.commit}. */
final class GitCommit {
  private GitCommit() {}

  /** {@code $MLOPS_GIT_COMMIT}, else {@code git rev-parse HEAD} here, else "unknown". */
  static String current() {
    String env = System.getenv("MLOPS_GIT_COMMIT");
    if (env != null && !env.isBlank()) {
      return env.trim();
    }
    try {
      Process git =
          new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
      String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (git.waitFor(10, TimeUnit.SECONDS)
          && git.exitValue() == 0
          && out.matches("[0-9a-f]{40}")) {
        return out;
      }
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "unknown";
  }
}
