package org.beammlops.pipelines.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium, headless, for the tests that look at a page the way a person would: {@code
 * --dump-dom} gives the DOM after the page's scripts ran, {@code --screenshot=<png>} a picture to
 * look at.
 */
public final class HeadlessChromium {
  private HeadlessChromium() {}

  /** Runs Chromium on {@code args} with a fresh profile under {@code profileDir}; its stdout. */
  public static String run(Path profileDir, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                binary("chromium"),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profileDir,
                "--virtual-time-budget=6000"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue("chromium finished", p.waitFor(90, TimeUnit.SECONDS));
    assertEquals("chromium exit code", 0, p.exitValue());
    return out;
  }

  /** An installed binary; a clear failure naming what installs it otherwise. */
  public static String binary(String name) {
    for (String dir : List.of("/usr/bin", "/usr/local/bin", "/bin")) {
      if (Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name).toString();
      }
    }
    throw new AssertionError(
        name
            + " is not installed: .ci/install-prerequisites installs Debian's prometheus and"
            + " chromium packages");
  }
}
