package org.beammlops.transforms.tracking;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts the project's local tracking server ({@code infra/local}, {@code
 * org.beammlops.local.tracking.TrackingServerMain}) in its own JVM, from the classpath
 * infra/local's build writes, without any compile or test dependency on that module.
 */
public final class LocalTrackingServer implements AutoCloseable {
  static final String MAIN = "org.beammlops.local.tracking.TrackingServerMain";

  private final Process process;
  private final Path log;
  private final String url;

  private LocalTrackingServer(Process process, Path log, String url) {
    this.process = process;
    this.log = log;
    this.url = url;
  }

  /**
   * Starts the server over store folder {@code root}; fails clearly if infra/local is not built.
   */
  public static LocalTrackingServer start(Path root) throws IOException, InterruptedException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    return start(root, port);
  }

  /** Starts the server on {@code port}: a restart on the same port, to test recovery. */
  public static LocalTrackingServer start(Path root, int port)
      throws IOException, InterruptedException {
    return start(root, port, null, null);
  }

  /**
   * Starts a server that requires basic auth as {@code username}/{@code password} (handed to it in
   * its environment, so that they are not on its command line).
   */
  public static LocalTrackingServer startWithBasicAuth(Path root, String username, String password)
      throws IOException, InterruptedException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    return start(root, port, username, password);
  }

  private static LocalTrackingServer start(Path root, int port, String username, String password)
      throws IOException, InterruptedException {
    Path infra = Path.of("..", "infra", "local", "target").toAbsolutePath().normalize();
    Path classpathFile = infra.resolve("classpath.txt");
    Path classes = infra.resolve("classes");
    if (!Files.isRegularFile(classpathFile) || !Files.isDirectory(classes)) {
      throw new IllegalStateException(
          "The local tracking server is not built: "
              + classpathFile
              + " or "
              + classes
              + " is missing (working directory "
              + Path.of("").toAbsolutePath()
              + "). Build it first: cd /work/main && mvn -B -o -q -pl infra/local install"
              + " -DskipTests");
    }
    if (!Files.isRegularFile(classes.resolve(MAIN.replace('.', '/') + ".class"))) {
      throw new IllegalStateException(MAIN + " is not among the classes in " + classes);
    }
    String classpath =
        classes + java.io.File.pathSeparator + Files.readString(classpathFile).strip();
    Path log = root.resolveSibling(root.getFileName() + "-server.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classpath,
                MAIN,
                "--root",
                root.toString(),
                "--port",
                Integer.toString(port)));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().remove("MLOPS_TRACKING_USERNAME");
    builder.environment().remove("MLOPS_TRACKING_PASSWORD");
    if (username != null) {
      builder.environment().put("MLOPS_TRACKING_USERNAME", username);
      builder.environment().put("MLOPS_TRACKING_PASSWORD", password);
    }
    Process process = builder.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      String out = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
      int at = out.indexOf("tracking: url=");
      if (at >= 0) {
        int end = out.indexOf('\n', at);
        if (end > 0) {
          String url = out.substring(at + "tracking: url=".length(), end).strip();
          return new LocalTrackingServer(process, log, url);
        }
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "The local tracking server exited with " + process.exitValue() + ":\n" + out);
      }
      Thread.sleep(100);
    }
    process.destroyForcibly();
    throw new IllegalStateException(
        "The local tracking server did not print its URL within 60 s:\n" + Files.readString(log));
  }

  public String url() {
    return url;
  }

  public String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
    }
  }
}
