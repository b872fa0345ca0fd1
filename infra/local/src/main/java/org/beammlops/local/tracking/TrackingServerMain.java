package org.beammlops.local.tracking;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the tracking server in this JVM until it is stopped (SIGTERM, Ctrl-C): {@code java -cp
 * <infra/local classpath> org.beammlops.local.tracking.TrackingServerMain --root DIR --port N}.
 * Prints one line {@code tracking: url=http://HOST:PORT} once it answers.
 */
@Command(
    name = "tracking-server",
    mixinStandardHelpOptions = true,
    version =
        "beam-mlops tracking server: MLflow REST API 2.0, as MLflow "
            + TrackingHttpServer.MLFLOW_VERSION,
    description = "An MLflow-compatible tracking and model registry server over a file store.")
public final class TrackingServerMain implements Callable<Integer> {
  @Option(names = "--root", required = true, paramLabel = "DIR", description = "Store folder.")
  Path root;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "${env:MLOPS_TRACKING_PORT:-5000}",
      description = "Port (default: $MLOPS_TRACKING_PORT, else 5000; 0 = any free port).")
  int port;

  @Option(
      names = "--username",
      defaultValue = "${env:MLOPS_TRACKING_USERNAME}",
      description = "Require basic auth with this user (default: $MLOPS_TRACKING_USERNAME).")
  String username;

  @Option(
      names = "--password",
      defaultValue = "${env:MLOPS_TRACKING_PASSWORD}",
      description = "... and this password (default: $MLOPS_TRACKING_PASSWORD).")
  String password;

  @Option(
      names = "--max-json-bytes",
      defaultValue = "" + TrackingServerConfig.DEFAULT_MAX_JSON_BYTES,
      description = "Largest JSON request body (default: ${DEFAULT-VALUE}).")
  long maxJsonBytes;

  @Option(
      names = "--max-artifact-bytes",
      defaultValue = "" + TrackingServerConfig.DEFAULT_MAX_ARTIFACT_BYTES,
      description = "Largest artifact upload (default: ${DEFAULT-VALUE}).")
  long maxArtifactBytes;

  @Option(
      names = "--threads",
      defaultValue = "" + TrackingServerConfig.DEFAULT_THREADS,
      description = "Request threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Override
  public Integer call() throws InterruptedException {
    TrackingServerConfig config =
        new TrackingServerConfig(
            root, host, port, username, password, maxJsonBytes, maxArtifactBytes, threads);
    TrackingHttpServer server = TrackingHttpServer.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "tracking-shutdown"));
    System.out.println(
        "tracking: serving "
            + config.root().resolve("mlruns")
            + (config.authEnabled() ? " (basic auth)" : ""));
    System.out.println("tracking: url=" + server.url());
    System.out.flush();
    stopped.await();
    return 0;
  }

  public static void main(String[] args) {
    int code =
        new CommandLine(new TrackingServerMain())
            .setExecutionExceptionHandler(
                (ex, cmd, parsed) -> {
                  System.err.println("error: tracking: " + ex.getMessage());
                  return 1;
                })
            .execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }
}
