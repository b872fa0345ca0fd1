package org.beammlops.transforms.tracking;

import java.util.Locale;
import java.util.Objects;

/**
 * One of the three URIs the pipelines use to name a model: {@code models:/<name>@<alias>}, {@code
 * models:/<name>/<version>} and {@code runs:/<run_id>/<path>}.
 *
 * <p>{@link #parse(String)} validates strictly and says what is wrong; {@link #toString()} gives
 * the canonical form back.
 */
public sealed interface ModelUri
    permits ModelUri.RegisteredAlias, ModelUri.RegisteredVersion, ModelUri.RunArtifact {

  String FORMS = "models:/<name>@<alias>, models:/<name>/<version> or runs:/<run_id>/<path>";

  /** Parses and validates {@code uri}; throws {@link IllegalArgumentException} saying why not. */
  static ModelUri parse(String uri) {
    if (uri == null || uri.isBlank()) {
      throw invalid(uri, "it is empty");
    }
    if (!uri.equals(uri.strip())) {
      throw invalid(uri, "it has leading or trailing whitespace");
    }
    int colon = uri.indexOf(':');
    if (colon <= 0) {
      throw invalid(uri, "it has no scheme");
    }
    String scheme = uri.substring(0, colon);
    String rest = uri.substring(colon + 1);
    if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
      throw invalid(uri, "a query ('?') or fragment ('#') is not allowed");
    }
    if (!scheme.equals("models") && !scheme.equals("runs")) {
      throw invalid(uri, "scheme '" + scheme + "' is not supported");
    }
    if (rest.startsWith("//")) {
      throw invalid(
          uri,
          "it names a host or profile ('"
              + scheme
              + "://...'); use a single slash: "
              + scheme
              + ":/...");
    }
    if (!rest.startsWith("/")) {
      throw invalid(uri, "the scheme must be followed by '/': " + scheme + ":/...");
    }
    String path = rest.substring(1);
    return scheme.equals("models") ? parseModels(uri, path) : parseRuns(uri, path);
  }

  private static ModelUri parseModels(String uri, String path) {
    if (path.isEmpty()) {
      throw invalid(uri, "the model name is missing");
    }
    String[] parts = path.split("/", -1);
    if (parts.length > 2) {
      throw invalid(uri, "too many path segments after the model name");
    }
    if (parts.length == 2) {
      String name = parts[0];
      String version = parts[1];
      if (name.contains("@")) {
        throw invalid(uri, "give either an alias ('@') or a version ('/'), not both");
      }
      checkName(uri, name);
      if (version.isEmpty()) {
        throw invalid(uri, "the version after '/' is missing");
      }
      if (!version.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw invalid(
            uri,
            "version '"
                + version
                + "' is not a positive integer (stages and 'latest' are not supported: use an"
                + " alias, models:/"
                + name
                + "@<alias>)");
      }
      long v;
      try {
        v = Long.parseLong(version);
      } catch (NumberFormatException e) {
        throw invalid(uri, "version '" + version + "' is too large");
      }
      if (v < 1) {
        throw invalid(uri, "version must be 1 or more, got " + version);
      }
      return new RegisteredVersion(name, v);
    }
    String only = parts[0];
    int at = only.indexOf('@');
    if (at < 0) {
      throw invalid(
          uri,
          "a version or alias is missing after the model name: models:/"
              + only
              + "/<version> or models:/"
              + only
              + "@<alias>");
    }
    if (only.indexOf('@', at + 1) >= 0) {
      throw invalid(uri, "it has more than one '@'");
    }
    String name = only.substring(0, at);
    String alias = only.substring(at + 1);
    checkName(uri, name);
    checkAlias(uri, alias);
    return new RegisteredAlias(name, alias);
  }

  private static ModelUri parseRuns(String uri, String path) {
    String trimmed = path;
    while (trimmed.endsWith("/") && trimmed.length() > 0) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    if (trimmed.isEmpty()) {
      throw invalid(uri, "the run id is missing");
    }
    int slash = trimmed.indexOf('/');
    String runId = slash < 0 ? trimmed : trimmed.substring(0, slash);
    String artifactPath = slash < 0 ? "" : trimmed.substring(slash + 1);
    checkRunId(uri, runId);
    checkArtifactPath(uri, artifactPath);
    return new RunArtifact(runId, artifactPath);
  }

  // ---------------------------------------------------------------------------------------------

  /** {@code models:/<name>@<alias>}: whatever version the alias points at when resolved. */
  record RegisteredAlias(String name, String alias) implements ModelUri {
    public RegisteredAlias {
      String uri = "models:/" + name + "@" + alias;
      checkName(uri, name);
      checkAlias(uri, alias);
    }

    @Override
    public String toString() {
      return "models:/" + name + "@" + alias;
    }
  }

  /** {@code models:/<name>/<version>}: one immutable registered version. */
  record RegisteredVersion(String name, long version) implements ModelUri {
    public RegisteredVersion {
      String uri = "models:/" + name + "/" + version;
      checkName(uri, name);
      if (version < 1) {
        throw invalid(uri, "version must be 1 or more, got " + version);
      }
    }

    @Override
    public String toString() {
      return "models:/" + name + "/" + version;
    }
  }

  /** {@code runs:/<run_id>/<path>}: a file or directory among a run's artifacts ("" = root). */
  record RunArtifact(String runId, String path) implements ModelUri {
    public RunArtifact {
      Objects.requireNonNull(path, "path");
      String uri = "runs:/" + runId + (path.isEmpty() ? "" : "/" + path);
      checkRunId(uri, runId);
      checkArtifactPath(uri, path);
    }

    @Override
    public String toString() {
      return "runs:/" + runId + (path.isEmpty() ? "" : "/" + path);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static void checkName(String uri, String name) {
    if (name == null || name.isEmpty()) {
      throw invalid(uri, "the model name is empty");
    }
    if (!name.equals(name.strip())) {
      throw invalid(uri, "the model name has leading or trailing whitespace");
    }
    if (name.contains("/")) {
      throw invalid(uri, "the model name must not contain '/'");
    }
    if (name.equals(".") || name.equals("..")) {
      throw invalid(uri, "'" + name + "' is not a model name");
    }
    if (name.chars().anyMatch(Character::isISOControl)) {
      throw invalid(uri, "the model name contains control characters");
    }
  }

  // MLflow's rules: aliases are word characters and dashes (at most 255), not 'latest' and not
  // version-like ('v3'); run ids are a letter or digit followed by up to 255 such characters.
  private static void checkAlias(String uri, String alias) {
    if (alias == null || alias.isEmpty()) {
      throw invalid(uri, "the alias after '@' is empty");
    }
    if (!alias.matches("[A-Za-z0-9_-]{1,255}")) {
      throw invalid(
          uri,
          "alias '"
              + alias
              + "' may only contain letters, digits, '_' and '-' (at most 255 characters)");
    }
    if (alias.toLowerCase(Locale.ROOT).equals("latest") || alias.matches("[vV][0-9]+")) {
      throw invalid(uri, "alias '" + alias + "' is reserved by MLflow");
    }
  }

  private static void checkRunId(String uri, String runId) {
    if (runId == null || runId.isEmpty()) {
      throw invalid(uri, "the run id is missing");
    }
    if (!runId.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,255}")) {
      throw invalid(uri, "run id '" + runId + "' may only contain letters, digits, '_' and '-'");
    }
  }

  private static void checkArtifactPath(String uri, String path) {
    if (path.isEmpty()) {
      return;
    }
    if (path.startsWith("/")) {
      throw invalid(uri, "the artifact path has an empty segment ('//')");
    }
    if (path.indexOf('\\') >= 0) {
      throw invalid(uri, "the artifact path must use '/' separators, not '\\'");
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty()) {
        throw invalid(uri, "the artifact path has an empty segment ('//')");
      }
      if (segment.equals(".") || segment.equals("..")) {
        throw invalid(uri, "the artifact path must not contain '.' or '..' segments");
      }
      if (segment.chars().anyMatch(Character::isISOControl)) {
        throw invalid(uri, "the artifact path contains control characters");
      }
    }
  }

  private static IllegalArgumentException invalid(String uri, String why) {
    String shown = uri == null ? "null" : "'" + uri + "'";
    return new IllegalArgumentException(
        "Invalid model URI " + shown + ": " + why + ". Expected " + FORMS + ".");
  }
}
