package org.beammlops.local.tracking;

import java.nio.file.Path;

/**
 * How a tracking server runs.
 *
 * @param root the store folder; MLflow's tree lives in {@code <root>/mlruns}
 * @param host the address to listen on ({@code 127.0.0.1} by default: local use only)
 * @param port the port, 0 for any free one
 * @param username basic-auth user, or null for no authentication
 * @param password basic-auth password (required with a username)
 * @param maxJsonBytes largest JSON request body
 * @param maxArtifactBytes largest artifact upload
 * @param threads request threads
 */
public record TrackingServerConfig(
    Path root,
    String host,
    int port,
    String username,
    String password,
    long maxJsonBytes,
    long maxArtifactBytes,
    int threads) {

  public static final int DEFAULT_PORT = 5000;
  public static final long DEFAULT_MAX_JSON_BYTES = 8L * 1024 * 1024;
  public static final long DEFAULT_MAX_ARTIFACT_BYTES = 64L * 1024 * 1024;
  public static final int DEFAULT_THREADS = 16;

  public TrackingServerConfig {
    root = root.toAbsolutePath().normalize();
    if ((username == null || username.isEmpty()) != (password == null || password.isEmpty())) {
      throw new IllegalArgumentException(
          "basic auth needs both a username and a password, or neither");
    }
  }

  /** A local server on {@code 127.0.0.1} with the default limits and no authentication. */
  public static TrackingServerConfig local(Path root, int port) {
    return new TrackingServerConfig(
        root,
        "127.0.0.1",
        port,
        null,
        null,
        DEFAULT_MAX_JSON_BYTES,
        DEFAULT_MAX_ARTIFACT_BYTES,
        DEFAULT_THREADS);
  }

  public TrackingServerConfig withAuth(String user, String pass) {
    return new TrackingServerConfig(
        root, host, port, user, pass, maxJsonBytes, maxArtifactBytes, threads);
  }

  public TrackingServerConfig withLimits(long jsonBytes, long artifactBytes) {
    return new TrackingServerConfig(
        root, host, port, username, password, jsonBytes, artifactBytes, threads);
  }

  boolean authEnabled() {
    return username != null && !username.isEmpty();
  }
}
