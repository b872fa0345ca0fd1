package org.beammlops.transforms.tracking;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * How to reach the tracking server, as a value that travels with a pipeline to its workers: the
 * URI, where the credentials are (a file path, or the names of environment variables) and the retry
 * settings, but never the credentials themselves. {@link #config()} turns it into a {@link
 * TrackingConfig} where the code runs, reading the credentials there.
 *
 * @param trackingUri the server, without credentials
 * @param credentialsFile a properties file with {@code username}+{@code password} or {@code token},
 *     or null to read the environment variables named next
 * @param usernameEnv the variable holding the user name
 * @param passwordEnv the variable holding the password
 * @param tokenEnv the variable holding a bearer token
 * @param maxRetries retries of a failed request (from the launcher's {@code
 *     MLFLOW_HTTP_REQUEST_MAX_RETRIES}), or -1 for the default
 * @param requestTimeoutSeconds the request timeout (from the launcher's {@code
 *     MLFLOW_HTTP_REQUEST_TIMEOUT}), or 0 for the default
 */
public record TrackingSettings(
    String trackingUri,
    @Nullable String credentialsFile,
    String usernameEnv,
    String passwordEnv,
    String tokenEnv,
    int maxRetries,
    int requestTimeoutSeconds)
    implements Serializable {

  /** The option that names the credentials file, for messages. */
  public static final String CREDENTIALS_FILE_OPTION = "--trackingCredentialsFile";

  /**
   * The settings of a pipeline's options, resolved on the launcher: a missing {@code --trackingUri}
   * becomes the launcher's {@code MLFLOW_TRACKING_URI} (or the local default) and is set on the
   * options, so that a worker never falls back to its own environment; a credentials file that
   * cannot be used is an error now, naming the option and the path.
   */
  public static TrackingSettings fromOptions(TrackingOptions options) {
    return fromOptions(options, System.getenv());
  }

  /** As {@link #fromOptions(TrackingOptions)} with the launcher's environment given. */
  public static TrackingSettings fromOptions(TrackingOptions options, Map<String, String> env) {
    TrackingConfig launcher = TrackingConfig.fromEnvironment(withoutCredentials(env));
    String uri =
        options.getTrackingUri() != null && !options.getTrackingUri().isBlank()
            ? options.getTrackingUri()
            : launcher.trackingUri().toString();
    TrackingSettings settings =
        new TrackingSettings(
            checkedUri(uri),
            options.getTrackingCredentialsFile(),
            options.getTrackingUsernameEnv(),
            options.getTrackingPasswordEnv(),
            options.getTrackingTokenEnv(),
            launcher.retryPolicy().maxAttempts() - 1,
            (int) launcher.requestTimeout().toSeconds());
    if (settings.credentialsFile() != null) {
      settings.readCredentialsFile(); // fails now, on the launcher, rather than on a worker
    }
    options.setTrackingUri(settings.trackingUri());
    return settings;
  }

  /** The server at {@code trackingUri}; credentials from the default MLflow variables. */
  public static TrackingSettings of(String trackingUri) {
    return new TrackingSettings(
        checkedUri(trackingUri),
        null,
        TrackingConfig.ENV_USERNAME,
        TrackingConfig.ENV_PASSWORD,
        TrackingConfig.ENV_TOKEN,
        -1,
        0);
  }

  /** The same credentials and retries for another server (a job file's own tracking URI). */
  public TrackingSettings withTrackingUri(String uri) {
    return new TrackingSettings(
        checkedUri(uri),
        credentialsFile,
        usernameEnv,
        passwordEnv,
        tokenEnv,
        maxRetries,
        requestTimeoutSeconds);
  }

  /** The client configuration, with the credentials read here (on a worker: the worker's). */
  public TrackingConfig config() {
    return builder().build();
  }

  /** As {@link #config()}, to be adjusted (e.g. no retries for a registry poll). */
  public TrackingConfig.Builder builder() {
    return builder(System::getenv);
  }

  /** As {@link #builder()} with the environment given (for tests). */
  TrackingConfig.Builder builder(Function<String, String> env) {
    TrackingConfig.Builder b = TrackingConfig.builder().trackingUri(trackingUri);
    if (maxRetries >= 0) {
      b.retryPolicy(RetryPolicy.DEFAULT.withMaxAttempts(maxRetries + 1));
    }
    if (requestTimeoutSeconds > 0) {
      b.requestTimeout(Duration.ofSeconds(requestTimeoutSeconds));
    }
    Map<String, String> secrets =
        credentialsFile != null ? readCredentialsFile() : fromEnvironment(env);
    String user = secrets.get("username");
    String password = secrets.get("password");
    if (user != null || password != null) {
      b.basicAuth(user, password);
    }
    if (secrets.get("token") != null) {
      b.token(secrets.get("token"));
    }
    return b;
  }

  private Map<String, String> fromEnvironment(Function<String, String> env) {
    Map<String, String> out = new HashMap<>();
    putIfSet(out, "username", env.apply(usernameEnv));
    putIfSet(out, "password", env.apply(passwordEnv));
    putIfSet(out, "token", env.apply(tokenEnv));
    return out;
  }

  /** The file's credentials; a clear error naming the option and the path, never a secret. */
  private Map<String, String> readCredentialsFile() {
    Path file = Path.of(credentialsFile);
    String where = CREDENTIALS_FILE_OPTION + "=" + credentialsFile;
    if (!Files.exists(file)) {
      throw new IllegalArgumentException(where + ": no such file");
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(where + ": not a regular file");
    }
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException(where + ": not readable by this user");
    }
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(in);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          where + ": cannot be read as a properties file (" + e.getClass().getSimpleName() + ")");
    }
    Map<String, String> out = new HashMap<>();
    for (String key : new String[] {"username", "password", "token"}) {
      putIfSet(out, key, properties.getProperty(key));
    }
    boolean basic = out.containsKey("username") && out.containsKey("password");
    if (!basic && !out.containsKey("token")) {
      throw new IllegalArgumentException(
          where
              + ": needs username= and password=, or token= (keys found: "
              + properties.keySet()
              + ")");
    }
    if (out.containsKey("username") != out.containsKey("password")) {
      throw new IllegalArgumentException(where + ": username= and password= go together");
    }
    return out;
  }

  private static void putIfSet(Map<String, String> out, String key, String value) {
    if (value != null && !value.isEmpty()) {
      out.put(key, value);
    }
  }

  private static Map<String, String> withoutCredentials(Map<String, String> env) {
    Map<String, String> out = new HashMap<>(env);
    out.remove(TrackingConfig.ENV_USERNAME);
    out.remove(TrackingConfig.ENV_PASSWORD);
    out.remove(TrackingConfig.ENV_TOKEN);
    return out;
  }

  /** A valid server URI without credentials in it (they would travel in the job's options). */
  private static String checkedUri(String uri) {
    TrackingConfig parsed = TrackingConfig.builder().trackingUri(uri).build();
    if (parsed.username().isPresent() || parsed.hasCredentials()) {
      throw new IllegalArgumentException(
          "the tracking URI carries credentials; they would travel in the job's options: give"
              + " them in "
              + CREDENTIALS_FILE_OPTION
              + " or the environment instead");
    }
    return parsed.trackingUri().toString();
  }
}
