package org.beammlops.local.tracking;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * MLflow's input rules ({@code mlflow/utils/validation.py}): names of metrics, params and tags, run
 * and experiment ids, model names and aliases, length limits. Every name that becomes a file or
 * folder passes through here first, so none can point outside its folder.
 */
final class Validation {
  // Python's \w is Unicode-aware, hence UNICODE_CHARACTER_CLASS.
  private static final Pattern PARAM_AND_METRIC_NAME =
      Pattern.compile("^[/\\w.\\- ]*$", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern RUN_ID =
      Pattern.compile("^[a-zA-Z0-9][\\w\\-]{0,255}$", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern EXPERIMENT_ID =
      Pattern.compile("^[a-zA-Z0-9][\\w\\-]{0,63}$", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern ALIAS = Pattern.compile("^[\\w\\-]*$");
  private static final Pattern VERSION_ALIAS = Pattern.compile("^[vV]\\d+$");

  static final String BAD_CHARACTERS =
      "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.),"
          + " spaces ( ), and slashes (/).";
  static final int MAX_ENTITY_KEY_LENGTH = 250;
  static final int MAX_PARAM_VAL_LENGTH = 6000;
  static final int MAX_TAG_VAL_LENGTH = 8000;
  static final int MAX_EXPERIMENT_NAME_LENGTH = 500;
  static final int MAX_EXPERIMENT_TAG_VAL_LENGTH = 5000;
  static final int MAX_REGISTRY_TAG_VAL_LENGTH = 5000;
  static final int MAX_ALIAS_LENGTH = 255;
  static final int MAX_METRICS_PER_BATCH = 1000;
  static final int MAX_PARAMS_TAGS_PER_BATCH = 100;
  static final int MAX_ENTITIES_PER_BATCH = 1000;

  /** Folder names inside an experiment folder that are not runs. */
  static final List<String> RESERVED_EXPERIMENT_FOLDERS = List.of("tags", "datasets", "traces");

  private Validation() {}

  static void metricName(String name) {
    entityName("metric", name);
  }

  static void paramName(String name) {
    entityName("parameter", name);
  }

  static void tagName(String name) {
    entityName("tag", name);
  }

  /**
   * A metric, param or tag key: MLflow's character class, a path that normalises to itself (no
   * {@code ..}, no leading {@code /}, no empty or {@code .} segment) and at most 250 characters.
   */
  private static void entityName(String kind, String name) {
    String title = Character.toUpperCase(kind.charAt(0)) + kind.substring(1);
    if (name == null) {
      throw MlflowError.invalid(title + " name cannot be None. A key name must be provided.");
    }
    if (!PARAM_AND_METRIC_NAME.matcher(name).matches()) {
      throw MlflowError.invalid("Invalid " + kind + " name: '" + name + "'. " + BAD_CHARACTERS);
    }
    if (pathNotUnique(name)) {
      throw MlflowError.invalid(
          "Invalid "
              + kind
              + " name: '"
              + name
              + "'. Names may be treated as files in certain cases, and must not resolve to"
              + " other names when treated as such. This name would resolve to '"
              + normpath(name)
              + "'");
    }
    lengthLimit(title + " key", MAX_ENTITY_KEY_LENGTH, name);
  }

  static void lengthLimit(String entity, int limit, String value) {
    if (value != null && value.length() > limit) {
      throw MlflowError.invalid(
          String.format(
              "%s '%s' had length %d, which exceeded length limit of %d",
              entity, value.substring(0, Math.min(250, value.length())), value.length(), limit));
    }
  }

  static void runId(String runId) {
    if (runId == null
        || !RUN_ID.matcher(runId).matches()
        || RESERVED_EXPERIMENT_FOLDERS.contains(runId)) {
      throw MlflowError.invalid("Invalid run ID: '" + runId + "'");
    }
  }

  static void experimentId(String experimentId) {
    if (experimentId == null
        || !EXPERIMENT_ID.matcher(experimentId).matches()
        || experimentId.equals(ModelRegistryStore.MODELS_FOLDER)) {
      throw MlflowError.invalid("Invalid experiment ID: '" + experimentId + "'");
    }
  }

  static void experimentName(String name) {
    if (name == null || name.isEmpty()) {
      throw MlflowError.invalid("Invalid experiment name: '" + (name == null ? "" : name) + "'");
    }
    if (name.length() > MAX_EXPERIMENT_NAME_LENGTH) {
      throw MlflowError.invalid(
          "Experiment name exceeds the maximum length of "
              + MAX_EXPERIMENT_NAME_LENGTH
              + " characters");
    }
  }

  /**
   * A registered model name, which is a folder name in the file store: not empty, no path
   * separator, no {@code %} (MLflow's file store rules), and neither {@code .} nor {@code ..} nor a
   * NUL character (which would leave or break the {@code models} folder).
   */
  static void modelName(String name) {
    if (name == null || name.isEmpty()) {
      throw MlflowError.invalid("Registered model name cannot be empty.");
    }
    if (name.contains("/") || name.contains("\\")) {
      throw MlflowError.invalid(
          "Invalid name: '" + name + "'. Registered model name cannot contain path separator");
    }
    if (name.contains("%")) {
      throw MlflowError.invalid(
          "Invalid name: '" + name + "'. Registered model name cannot contain '%' character");
    }
    if (name.equals(".") || name.equals("..") || name.indexOf('\0') >= 0) {
      throw MlflowError.invalid("Invalid name: '" + name + "'. Not usable as a folder name");
    }
    lengthLimit("Registered model name", 250, name);
  }

  static int modelVersion(String version) {
    try {
      return Integer.parseInt(version == null ? "" : version.trim());
    } catch (NumberFormatException e) {
      throw MlflowError.invalid("Model version must be an integer, got '" + version + "'");
    }
  }

  static void alias(String alias) {
    if (alias == null || alias.isEmpty()) {
      throw MlflowError.invalid("Registered model alias name cannot be empty.");
    }
    if (!ALIAS.matcher(alias).matches()) {
      throw MlflowError.invalid(
          "Invalid alias name: '"
              + alias
              + "'. Names may only contain alphanumerics, underscores (_), and dashes (-).");
    }
    lengthLimit("Registered model alias name", MAX_ALIAS_LENGTH, alias);
    if (alias.equalsIgnoreCase("latest")) {
      throw MlflowError.invalid("'latest' alias name (case insensitive) is reserved.");
    }
    if (VERSION_ALIAS.matcher(alias).matches()) {
      throw MlflowError.invalid("Version alias name '" + alias + "' is reserved.");
    }
  }

  /**
   * MLflow's {@code validate_path_is_safe} for artifact paths: decoded until stable, no {@code #},
   * no backslash, no {@code ..} segment, not absolute; plus no NUL.
   */
  static String safeArtifactPath(String path) {
    String decoded = StoreFiles.decodeFully(path);
    if (decoded.contains("#")
        || decoded.contains("\\")
        || decoded.indexOf('\0') >= 0
        || decoded.startsWith("/")
        || (decoded.length() >= 2 && decoded.charAt(1) == ':')
        || List.of(decoded.split("/", -1)).contains("..")) {
      throw MlflowError.invalid("Invalid path");
    }
    return decoded;
  }

  // posixpath.normpath, enough for the checks above.
  static String normpath(String path) {
    if (path.isEmpty()) {
      return ".";
    }
    boolean absolute = path.startsWith("/");
    List<String> out = new ArrayList<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..") && !out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
        out.remove(out.size() - 1);
      } else if (!(part.equals("..") && absolute)) {
        out.add(part);
      }
    }
    String joined = String.join("/", out);
    if (absolute) {
      return "/" + joined;
    }
    return joined.isEmpty() ? "." : joined;
  }

  static boolean pathNotUnique(String name) {
    String norm = normpath(name);
    return !norm.equals(name) || norm.equals(".") || norm.startsWith("..") || norm.startsWith("/");
  }
}
