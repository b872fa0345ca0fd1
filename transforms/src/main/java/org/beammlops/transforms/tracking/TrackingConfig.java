package org.beammlops.transforms.tracking;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the MLflow tracking server is and how to talk to it.
 *
 * <p>{@link #fromEnvironment()} honours MLflow's own environment variables: {@code
 * MLFLOW_TRACKING_URI}, {@code MLFLOW_TRACKING_USERNAME} + {@code MLFLOW_TRACKING_PASSWORD} (basic
 * auth, preferred when both are set, as MLflow does), {@code MLFLOW_TRACKING_TOKEN} (bearer),
 * {@code MLFLOW_HTTP_REQUEST_MAX_RETRIES} and {@code MLFLOW_HTTP_REQUEST_TIMEOUT} (seconds). With
 * no tracking URI set it points at the local server of {@code ./mlops local up}, {@value
 * #DEFAULT_TRACKING_URI}.
 *
 * <p>The password and token never appear in {@link #toString()} or in any message built from this
 * configuration.
 */
public final class TrackingConfig {
  public static final String DEFAULT_TRACKING_URI = "http://127.0.0.1:5000";

  public static final String ENV_TRACKING_URI = "MLFLOW_TRACKING_URI";
  public static final String ENV_USERNAME = "MLFLOW_TRACKING_USERNAME";
  public static final String ENV_PASSWORD = "MLFLOW_TRACKING_PASSWORD";
  public static final String ENV_TOKEN = "MLFLOW_TRACKING_TOKEN";
  public static final String ENV_MAX_RETRIES = "MLFLOW_HTTP_REQUEST_MAX_RETRIES";
  public static final String ENV_REQUEST_TIMEOUT = "MLFLOW_HTTP_REQUEST_TIMEOUT";

  private static final String REDACTED = "****";

  private final URI trackingUri;
  private final String username;
  private final String password;
  private final String token;
  private final RetryPolicy retryPolicy;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Path cacheDir;
  private final Duration registrationTimeout;

  private TrackingConfig(Builder b) {
    ParsedUri parsed = parseTrackingUri(b.trackingUri);
    this.trackingUri = parsed.uri;
    String user = b.username != null ? b.username : parsed.username;
    String pass = b.password != null ? b.password : parsed.password;
    this.username = emptyToNull(user);
    this.password = emptyToNull(pass);
    this.token = emptyToNull(b.token);
    if (this.username != null && this.password == null) {
      throw new IllegalArgumentException(
          "A tracking username is set but no password: set "
              + ENV_PASSWORD
              + " together with "
              + ENV_USERNAME);
    }
    if (this.password != null && this.username == null) {
      throw new IllegalArgumentException(
          "A tracking password is set but no username: set "
              + ENV_USERNAME
              + " together with "
              + ENV_PASSWORD);
    }
    this.retryPolicy = Objects.requireNonNull(b.retryPolicy, "retryPolicy");
    this.connectTimeout = positive(b.connectTimeout, "connectTimeout");
    this.requestTimeout = positive(b.requestTimeout, "requestTimeout");
    this.registrationTimeout = Objects.requireNonNull(b.registrationTimeout, "registrationTimeout");
    this.cacheDir =
        b.cacheDir != null
            ? b.cacheDir
            : Path.of(
                System.getProperty("java.io.tmpdir"),
                "beam-mlops-" + safeUser(System.getProperty("user.name")),
                "mlflow-cache");
  }

  /** A configuration from the process environment ({@link System#getenv()}). */
  public static TrackingConfig fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /** A configuration from the given environment variables (for tests and embedding). */
  public static TrackingConfig fromEnvironment(Map<String, String> env) {
    return builder().environment(env).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.trackingUri = trackingUri.toString();
    b.username = username;
    b.password = password;
    b.token = token;
    b.retryPolicy = retryPolicy;
    b.connectTimeout = connectTimeout;
    b.requestTimeout = requestTimeout;
    b.cacheDir = cacheDir;
    b.registrationTimeout = registrationTimeout;
    return b;
  }

  /** The server's base URI, without credentials and without a trailing slash. */
  public URI trackingUri() {
    return trackingUri;
  }

  public Optional<String> username() {
    return Optional.ofNullable(username);
  }

  /** Whether a password or token is configured (their values are not exposed here). */
  public boolean hasCredentials() {
    return password != null || token != null;
  }

  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** How long {@code createModelVersion} waits for a version to leave PENDING_REGISTRATION. */
  public Duration registrationTimeout() {
    return registrationTimeout;
  }

  /** Where model and run artifacts are copied when resolved to local directories. */
  public Path cacheDir() {
    return cacheDir;
  }

  // Package-private: only the HTTP layers see the secrets.
  String password() {
    return password;
  }

  String token() {
    return token;
  }

  /** The {@code Authorization} header value, basic auth first as MLflow does. */
  Optional<String> authorizationHeader() {
    if (username != null && password != null) {
      String pair = username + ":" + password;
      return Optional.of(
          "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }
    if (token != null) {
      return Optional.of("Bearer " + token);
    }
    return Optional.empty();
  }

  /** Replaces every secret (and its encoded forms) in {@code text} by {@code ****}. */
  String redact(String text) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String secret : secretForms()) {
      out = out.replace(secret, REDACTED);
    }
    return out;
  }

  private List<String> secretForms() {
    List<String> forms = new ArrayList<>();
    authorizationHeader()
        .ifPresent(
            h -> {
              forms.add(h);
              forms.add(h.substring(h.indexOf(' ') + 1));
            });
    if (password != null) {
      forms.add(password);
    }
    if (token != null) {
      forms.add(token);
    }
    // Longest first, so that a secret inside another is not half-replaced.
    forms.removeIf(String::isEmpty);
    forms.sort((a, b) -> Integer.compare(b.length(), a.length()));
    return forms;
  }

  @Override
  public String toString() {
    return "TrackingConfig{trackingUri="
        + trackingUri
        + ", username="
        + (username == null ? "<none>" : username)
        + ", password="
        + (password == null ? "<none>" : REDACTED)
        + ", token="
        + (token == null ? "<none>" : REDACTED)
        + ", retryPolicy="
        + retryPolicy
        + ", connectTimeout="
        + connectTimeout
        + ", requestTimeout="
        + requestTimeout
        + ", cacheDir="
        + cacheDir
        + "}";
  }

  /** Builds a {@link TrackingConfig}; unset fields take the defaults described on each setter. */
  public static final class Builder {
    private String trackingUri = DEFAULT_TRACKING_URI;
    private String username;
    private String password;
    private String token;
    private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(120);
    private Duration registrationTimeout = Duration.ofMinutes(5);
    private Path cacheDir;

    private Builder() {}

    /** Applies MLflow's environment variables found in {@code env} (empty values are unset). */
    public Builder environment(Map<String, String> env) {
      Objects.requireNonNull(env, "env");
      String uri = emptyToNull(env.get(ENV_TRACKING_URI));
      if (uri != null) {
        trackingUri = uri;
      }
      String user = emptyToNull(env.get(ENV_USERNAME));
      if (user != null) {
        username = user;
      }
      String pass = emptyToNull(env.get(ENV_PASSWORD));
      if (pass != null) {
        password = pass;
      }
      String tok = emptyToNull(env.get(ENV_TOKEN));
      if (tok != null) {
        token = tok;
      }
      String retries = emptyToNull(env.get(ENV_MAX_RETRIES));
      if (retries != null) {
        int n = parseNonNegativeInt(ENV_MAX_RETRIES, retries);
        retryPolicy = retryPolicy.withMaxAttempts(n + 1);
      }
      String timeout = emptyToNull(env.get(ENV_REQUEST_TIMEOUT));
      if (timeout != null) {
        int seconds = parseNonNegativeInt(ENV_REQUEST_TIMEOUT, timeout);
        if (seconds == 0) {
          throw new IllegalArgumentException(ENV_REQUEST_TIMEOUT + " must be positive, got 0");
        }
        requestTimeout = Duration.ofSeconds(seconds);
      }
      return this;
    }

    /** The server, e.g. {@code http://127.0.0.1:5000}; default {@value #DEFAULT_TRACKING_URI}. */
    public Builder trackingUri(String uri) {
      this.trackingUri = Objects.requireNonNull(uri, "trackingUri");
      return this;
    }

    /** Basic-auth credentials (both or neither). */
    public Builder basicAuth(String username, String password) {
      this.username = username;
      this.password = password;
      return this;
    }

    /** A bearer token, used when no basic-auth credentials are set. */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /** Default {@link RetryPolicy#DEFAULT}. */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = policy;
      return this;
    }

    /** Default 10 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    /** Time to wait for an answer (per attempt); default 120 s, as MLflow. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    /** Default 5 minutes, as MLflow's {@code await_registration_for}. */
    public Builder registrationTimeout(Duration timeout) {
      this.registrationTimeout = timeout;
      return this;
    }

    /** Default {@code <java.io.tmpdir>/beam-mlops-<user>/mlflow-cache}. */
    public Builder cacheDir(Path dir) {
      this.cacheDir = dir;
      return this;
    }

    public TrackingConfig build() {
      return new TrackingConfig(this);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private record ParsedUri(URI uri, String username, String password) {}

  private static ParsedUri parseTrackingUri(String raw) {
    Objects.requireNonNull(raw, "trackingUri");
    String text = raw.trim();
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "Invalid MLflow tracking URI '" + withoutUserInfo(text) + "': " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IllegalArgumentException(
          "Unsupported MLflow tracking URI '"
              + withoutUserInfo(text)
              + "': this client talks to a tracking server over http:// or https:// (set "
              + ENV_TRACKING_URI
              + ", e.g. "
              + DEFAULT_TRACKING_URI
              + "); local file stores and databricks URIs are not supported");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid MLflow tracking URI '" + withoutUserInfo(text) + "': no host");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "Invalid MLflow tracking URI '"
              + withoutUserInfo(text)
              + "': a query or fragment is not allowed");
    }
    String user = null;
    String pass = null;
    if (uri.getRawUserInfo() != null) {
      String info = uri.getRawUserInfo();
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      pass = colon < 0 ? null : decode(info.substring(colon + 1));
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String base =
        scheme + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "") + path;
    return new ParsedUri(URI.create(base), user, pass);
  }

  private static String withoutUserInfo(String text) {
    return text.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@", "$1" + REDACTED + "@");
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static int parseNonNegativeInt(String name, String value) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " must be a non-negative integer, got '" + value + "'");
    }
  }

  private static Duration positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
    return d;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static String safeUser(String user) {
    return user == null ? "user" : user.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
