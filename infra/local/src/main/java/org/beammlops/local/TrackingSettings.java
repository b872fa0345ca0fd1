package org.beammlops.local;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Where the local tracking server keeps its state and how its JVM is started.
 *
 * @param home the state dir ({@code --home}, {@code MLOPS_HOME} or {@code ./.mlops})
 * @param port the HTTP port on 127.0.0.1
 * @param classpath the server JVM's class path (this module's)
 * @param maxHeap the server JVM's {@code -Xmx} value
 */
public record TrackingSettings(Path home, int port, String classpath, String maxHeap) {
  public static final int DEFAULT_PORT = 5000;
  public static final String DEFAULT_MAX_HEAP = "512m";

  public TrackingSettings {
    home = home.toAbsolutePath().normalize();
    classpath =
        Arrays.stream(classpath.split(File.pathSeparator))
            .filter(entry -> !entry.isBlank())
            .map(entry -> Path.of(entry).toAbsolutePath().normalize().toString())
            .collect(Collectors.joining(File.pathSeparator));
  }

  /** The store root: MLflow's tree is {@code <dir>/mlruns}. */
  public Path dir() {
    return home.resolve("tracking");
  }

  public Path pidFile() {
    return dir().resolve("server.pid");
  }

  /** The URL the running server was started with, so status and down use its real port. */
  public Path urlFile() {
    return dir().resolve("server.url");
  }

  /** The server JVM's stdout and stderr. */
  public Path log() {
    return dir().resolve("server.log");
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public TrackingSettings withPort(int newPort) {
    return new TrackingSettings(home, newPort, classpath, maxHeap);
  }
}
