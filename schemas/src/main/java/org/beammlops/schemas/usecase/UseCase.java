package org.beammlops.schemas.usecase;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * A use case: one annotated Avro schema plus a small config file. Every pipeline takes its fields,
 * tasks, topics and validation rules from here, so a new use case needs no Java. Load one with
 * {@link UseCases#load(String)}.
 */
public final class UseCase implements Serializable {

  /** What to do with input fields that the schema does not declare. */
  public enum UnknownFieldPolicy {
    IGNORE,
    REJECT
  }

  /** How the lake splits a use case's records into directories by event date. */
  public enum Partitioning {
    /** One directory per event day: for data spread over at most a few hundred days. */
    DAY,
    /** One directory per event month: for daily data over years. */
    MONTH,
    /** One directory: for data without an event time or with few rows per date. */
    NONE
  }

  /** The YAML config file, as Jackson reads it; unknown keys are errors. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  static final class Config {
    @JsonProperty public String name;
    @JsonProperty public String description = "";
    @JsonProperty public String schema;
    @JsonProperty public String timeZone = "UTC";
    @JsonProperty public String unknownFields = "ignore";
    @JsonProperty public String partitioning;
    @JsonProperty public List<Map<String, String>> derivedFeatures = new ArrayList<>();
    @JsonProperty public List<TaskConfig> tasks = new ArrayList<>();
    @JsonProperty public Map<String, String> topics = new LinkedHashMap<>();
    @JsonProperty public String dedupTtl = "PT1H";
    @JsonProperty public String feedbackTtl = "PT2H";
    @JsonProperty public List<AlertConfig> alerts = new ArrayList<>();
    @JsonProperty public Map<String, Object> drift = new LinkedHashMap<>();
    final Map<String, Object> unknown = new LinkedHashMap<>();

    @JsonAnySetter
    void unknown(String key, Object value) {
      unknown.put(key, value);
    }
  }

  /** One alert rule of the config; see {@code docs/usecases.md}. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  static final class AlertConfig {
    @JsonProperty public String name;
    @JsonProperty public String task;
    @JsonProperty public String metric;
    @JsonProperty public String comparison;
    @JsonProperty public Double threshold;
    @JsonProperty public Integer forWindows = 1;
    @JsonProperty public Long minCount = 1L;
    @JsonProperty public String severity = "WARNING";
    @JsonProperty public Boolean perVersion = false;
    final Map<String, Object> unknown = new LinkedHashMap<>();

    @JsonAnySetter
    void unknown(String key, Object value) {
      unknown.put(key, value);
    }
  }

  /** One task of the config; see {@code docs/usecases.md}. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  static final class TaskConfig {
    @JsonProperty public String name;
    @JsonProperty public String type;
    @JsonProperty public String label;
    @JsonProperty public Double positiveAbove;
    @JsonProperty public String positive;
    @JsonProperty public String positiveUnless;
    @JsonProperty public List<String> classes;
    @JsonProperty public List<String> features;
    @JsonProperty public List<String> exclude = new ArrayList<>();
    @JsonProperty public String threshold = Task.AUTO_THRESHOLD;
    final Map<String, Object> unknown = new LinkedHashMap<>();

    @JsonAnySetter
    void unknown(String key, Object value) {
      unknown.put(key, value);
    }
  }

  private static final List<String> CONFIG_KEYS =
      List.of(
          "name",
          "description",
          "schema",
          "timeZone",
          "unknownFields",
          "partitioning",
          "derivedFeatures",
          "tasks",
          "topics",
          "dedupTtl",
          "feedbackTtl",
          "alerts",
          "drift");
  private static final List<String> ALERT_KEYS =
      List.of(
          "name",
          "task",
          "metric",
          "comparison",
          "threshold",
          "forWindows",
          "minCount",
          "severity",
          "perVersion");
  private static final List<String> TASK_KEYS =
      List.of(
          "name",
          "type",
          "label",
          "positiveAbove",
          "positive",
          "positiveUnless",
          "classes",
          "features",
          "exclude",
          "threshold");

  private final String name;
  private final String description;
  private final String schemaJson;
  private final List<FieldSpec> fields;
  private final List<DerivedFeature> derivedFeatures;
  private final List<Task> tasks;
  private final Topics topics;
  private final String timeZone;
  private final UnknownFieldPolicy unknownFieldPolicy;
  private final Partitioning partitioning;
  private final Duration dedupTtl;
  private final Duration feedbackTtl;
  private final List<AlertRule> alerts;
  private final DriftSettings drift;
  private transient Schema schema;
  private transient Schema lakeSchema;

  /** Provenance field of lake records: the file or topic-partition a record was read from. */
  public static final String SOURCE_FIELD = "ingest_source";

  /** Provenance field of lake records: line, row or offset within its source. */
  public static final String POSITION_FIELD = "ingest_position";

  /**
   * Not a field of any use case: the name under which profiles and drift reports carry a task's
   * predictions (probability of the positive class, regression value, or multi-class predicted
   * class) beside the features, for prediction drift.
   */
  public static final String PREDICTION_FIELD = "mlops_prediction";

  /**
   * Reads and checks a config and its schema. Every problem is collected, so that one run of {@code
   * mlops usecase check} names them all; any problem makes this throw {@link
   * InvalidUseCaseException}.
   */
  UseCase(Config config, String schemaJson) {
    List<String> problems = new ArrayList<>();
    this.name = config.name == null || config.name.isBlank() ? "?" : config.name;
    if (config.name == null || config.name.isBlank()) {
      problems.add("'name' is required");
    }
    config.unknown.keySet().forEach(k -> problems.add(unknownKey(k, "", CONFIG_KEYS)));
    this.description = config.description;
    this.schemaJson = schemaJson;
    Schema parsed;
    try {
      parsed = new Schema.Parser().parse(schemaJson);
    } catch (RuntimeException e) {
      throw new InvalidUseCaseException(name, List.of("schema: " + e.getMessage()));
    }
    if (parsed.getType() != Schema.Type.RECORD) {
      throw new InvalidUseCaseException(name, List.of("schema must be a record"));
    }
    List<FieldSpec> specs = new ArrayList<>();
    for (Schema.Field field : parsed.getFields()) {
      if (RESERVED.contains(field.name())) {
        problems.add("field '" + field.name() + "': the name is reserved for lake provenance");
      }
      try {
        FieldSpec spec = FieldSpec.of(field);
        spec.pattern();
        specs.add(spec);
      } catch (RuntimeException e) {
        problems.add(e.getMessage());
      }
    }
    this.fields = Collections.unmodifiableList(specs);
    checkRoles(problems);
    checkSourceNames(problems);
    this.timeZone = config.timeZone;
    try {
      ZoneId.of(timeZone);
    } catch (RuntimeException e) {
      problems.add("timeZone '" + timeZone + "' is not a time zone");
    }
    this.unknownFieldPolicy =
        choice(problems, "unknownFields", UnknownFieldPolicy.class, config.unknownFields);
    this.partitioning =
        config.partitioning == null || config.partitioning.equalsIgnoreCase("auto")
            ? null
            : choice(problems, "partitioning", Partitioning.class, config.partitioning);
    if (partitioning != null && partitioning != Partitioning.NONE && eventTime().isEmpty()) {
      problems.add(
          "partitioning '" + config.partitioning + "' needs a field of role event_time; use none");
    }
    Duration ttl = Duration.ofHours(1);
    try {
      ttl = Duration.parse(config.dedupTtl);
    } catch (RuntimeException e) {
      problems.add("dedupTtl '" + config.dedupTtl + "' is not an ISO-8601 duration such as PT1H");
    }
    this.dedupTtl = ttl;
    this.feedbackTtl = duration(problems, "feedbackTtl", config.feedbackTtl, Duration.ofHours(2));
    this.derivedFeatures = Collections.unmodifiableList(derivedFeatures(config, problems));
    this.tasks = Collections.unmodifiableList(tasks(config, problems));
    this.topics = new Topics(name, config.topics);
    this.alerts = Collections.unmodifiableList(alerts(config, problems));
    this.drift = drift(config.drift, problems);
    if (!problems.isEmpty()) {
      throw new InvalidUseCaseException(name, problems);
    }
  }

  private static final Set<String> RESERVED =
      Set.of(SOURCE_FIELD, POSITION_FIELD, PREDICTION_FIELD);

  private void checkRoles(List<String> problems) {
    for (FieldSpec.Role role : List.of(FieldSpec.Role.ID, FieldSpec.Role.EVENT_TIME)) {
      List<String> named =
          fields.stream().filter(f -> f.role() == role).map(FieldSpec::name).toList();
      if (named.size() > 1) {
        problems.add(
            "fields "
                + named
                + " are all role "
                + role.name().toLowerCase(Locale.ROOT)
                + "; at most one may be");
      }
    }
    for (FieldSpec f : fields) {
      if (f.role() == FieldSpec.Role.EVENT_TIME
          && f.type() != FieldSpec.ValueType.TIMESTAMP_MILLIS) {
        problems.add(
            "field '"
                + f.name()
                + "': role event_time needs type long, logicalType timestamp-millis");
      }
      if (f.role() == FieldSpec.Role.ID && f.type() != FieldSpec.ValueType.STRING) {
        problems.add("field '" + f.name() + "': role id needs type string");
      }
      for (String leaked : f.leaks()) {
        if (fields.stream().noneMatch(other -> other.name().equals(leaked))) {
          problems.add(
              "field '" + f.name() + "': mlops.leaks names unknown field '" + leaked + "'");
        }
      }
    }
  }

  private void checkSourceNames(List<String> problems) {
    Map<String, String> claimedBy = new LinkedHashMap<>();
    for (FieldSpec f : fields) {
      for (String source : f.sourceNames()) {
        String other = claimedBy.putIfAbsent(source, f.name());
        if (other != null && !other.equals(f.name())) {
          problems.add(
              "field '"
                  + f.name()
                  + "': source name '"
                  + source
                  + "' is already the name or source name of field '"
                  + other
                  + "'");
        }
      }
    }
  }

  private <E extends Enum<E>> E choice(
      List<String> problems, String key, Class<E> type, String value) {
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      problems.add(
          key
              + " '"
              + value
              + "' is not one of "
              + Arrays.stream(type.getEnumConstants())
                  .map(c -> c.name().toLowerCase(Locale.ROOT))
                  .toList());
      return type.getEnumConstants()[0];
    }
  }

  private List<DerivedFeature> derivedFeatures(Config config, List<String> problems) {
    List<DerivedFeature> derived = new ArrayList<>();
    for (Map<String, String> d : config.derivedFeatures) {
      String derivedName = d.get("name");
      String where = "derived feature '" + derivedName + "'";
      if (derivedName == null || derivedName.isBlank()) {
        problems.add("a derived feature has no name");
        continue;
      }
      if (fieldOrNull(derivedName) != null
          || derived.stream().anyMatch(x -> x.name().equals(derivedName))) {
        problems.add(where + ": the name is already taken by a field or derived feature");
      }
      String from = d.get("from");
      FieldSpec source = from == null ? null : fieldOrNull(from);
      if (source == null) {
        problems.add(where + ": from '" + from + "' is not a field");
      } else if (source.type() != FieldSpec.ValueType.TIMESTAMP_MILLIS) {
        problems.add(where + ": from '" + from + "' is not a timestamp");
      }
      DerivedFeature.Function function =
          choice(
              problems,
              where + ": function",
              DerivedFeature.Function.class,
              String.valueOf(d.get("function")));
      derived.add(new DerivedFeature(derivedName, from, function));
    }
    return derived;
  }

  /**
   * The alert rules, each checked: a known task, a comparison, a threshold, a severity, counts of
   * at least 1, a unique name. Whether the metric is one the task reports is checked where the
   * metrics are known, when the metrics pipeline starts.
   */
  private List<AlertRule> alerts(Config config, List<String> problems) {
    List<AlertRule> rules = new ArrayList<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < config.alerts.size(); i++) {
      AlertConfig a = config.alerts.get(i);
      String where = "alerts[" + i + "]" + (a.name == null ? "" : " '" + a.name + "'");
      a.unknown.keySet().forEach(k -> problems.add(unknownKey(k, where + ": ", ALERT_KEYS)));
      int before = problems.size();
      if (a.name == null || a.name.isBlank()) {
        problems.add(where + ": 'name' is required");
      } else if (!names.add(a.name)) {
        problems.add(where + ": the name is used by another rule");
      }
      if (a.task == null || tasks.stream().noneMatch(t -> t.name().equals(a.task))) {
        problems.add(
            where
                + ": 'task' must be one of "
                + tasks.stream().map(Task::name).toList()
                + ", not "
                + a.task);
      }
      if (a.metric == null || a.metric.isBlank()) {
        problems.add(where + ": 'metric' is required (e.g. roc_auc, log_loss, mae)");
      }
      AlertRule.Comparison comparison = AlertRule.Comparison.parse(a.comparison);
      if (comparison == null) {
        problems.add(where + ": 'comparison' must be below or above, not " + a.comparison);
      }
      if (a.threshold == null || !Double.isFinite(a.threshold)) {
        problems.add(where + ": 'threshold' must be a number");
      }
      if (a.forWindows == null || a.forWindows < 1) {
        problems.add(where + ": 'forWindows' must be at least 1, not " + a.forWindows);
      }
      if (a.minCount == null || a.minCount < 1) {
        problems.add(where + ": 'minCount' must be at least 1, not " + a.minCount);
      }
      String severity = a.severity == null ? "" : a.severity.toUpperCase(java.util.Locale.ROOT);
      if (!AlertRule.SEVERITIES.contains(severity)) {
        problems.add(
            where + ": 'severity' must be one of " + AlertRule.SEVERITIES + ", not " + a.severity);
      }
      if (problems.size() == before) {
        rules.add(
            new AlertRule(
                a.name,
                a.task,
                a.metric,
                comparison,
                a.threshold,
                a.forWindows,
                a.minCount,
                severity,
                Boolean.TRUE.equals(a.perVersion)));
      }
    }
    return rules;
  }

  /**
   * The drift settings: {@code share} (0 to 1) and {@code features}, each a profiled feature (a
   * feature, derived feature or label) mapped to {@code false} or to {@code {test, threshold}} with
   * a test that fits its kind.
   */
  private DriftSettings drift(Map<String, Object> config, List<String> problems) {
    double share = DriftSettings.DEFAULT_DATASET_SHARE;
    Map<String, DriftSettings.Feature> features = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : config.entrySet()) {
      switch (e.getKey()) {
        case "share" -> {
          if (e.getValue() instanceof Number n && n.doubleValue() > 0 && n.doubleValue() <= 1) {
            share = n.doubleValue();
          } else {
            problems.add("drift.share must be a number above 0 and at most 1, not " + e.getValue());
          }
        }
        case "features" -> {
          if (!(e.getValue() instanceof Map<?, ?> map)) {
            problems.add("drift.features must map feature names to settings");
            continue;
          }
          map.forEach(
              (name, value) -> {
                DriftSettings.Feature f = driftFeature(String.valueOf(name), value, problems);
                if (f != null) {
                  features.put(String.valueOf(name), f);
                }
              });
        }
        default -> problems.add(unknownKey(e.getKey(), "drift: ", List.of("share", "features")));
      }
    }
    return new DriftSettings(share, Collections.unmodifiableMap(features));
  }

  private DriftSettings.Feature driftFeature(String name, Object value, List<String> problems) {
    String where = "drift.features." + name;
    Boolean numeric = profiledKind(name);
    if (numeric == null) {
      problems.add(
          where
              + ": not a feature, derived feature or label of the use case; profiled ones are "
              + profiledNames());
      return null;
    }
    if (Boolean.FALSE.equals(value)) {
      return new DriftSettings.Feature(false, null, null);
    }
    if (Boolean.TRUE.equals(value)) {
      return new DriftSettings.Feature(true, null, null);
    }
    if (!(value instanceof Map<?, ?> settings)) {
      problems.add(where + ": must be false or {test: ..., threshold: ...}, not " + value);
      return null;
    }
    String test = null;
    Double threshold = null;
    for (Map.Entry<?, ?> s : settings.entrySet()) {
      String key = String.valueOf(s.getKey());
      if (key.equals("test")) {
        test = String.valueOf(s.getValue());
        List<String> fitting =
            numeric ? DriftSettings.NUMERIC_TESTS : DriftSettings.CATEGORICAL_TESTS;
        if (!DriftSettings.TESTS.contains(test)) {
          problems.add(where + ": test '" + test + "' is not one of " + DriftSettings.TESTS);
        } else if (!fitting.contains(test)) {
          problems.add(
              where
                  + ": test '"
                  + test
                  + "' does not fit a "
                  + (numeric ? "numeric" : "categorical")
                  + " feature; use one of "
                  + fitting);
        }
      } else if (key.equals("threshold")) {
        if (s.getValue() instanceof Number n && Double.isFinite(n.doubleValue())) {
          threshold = n.doubleValue();
        } else {
          problems.add(where + ": threshold must be a number, not " + s.getValue());
        }
      } else {
        problems.add(unknownKey(key, where + ": ", List.of("test", "threshold")));
      }
    }
    return new DriftSettings.Feature(true, test, threshold);
  }

  /** True for a numeric profiled feature, false for a categorical one, null for no such feature. */
  private Boolean profiledKind(String name) {
    for (FieldSpec f : fields) {
      if (f.name().equals(name)
          && (f.role() == FieldSpec.Role.FEATURE || f.role() == FieldSpec.Role.LABEL)) {
        return f.kind() == FieldSpec.Kind.NUMERIC;
      }
    }
    for (DerivedFeature d : derivedFeatures) {
      if (d.name().equals(name)) {
        return false;
      }
    }
    return null;
  }

  private List<String> profiledNames() {
    List<String> names = new ArrayList<>();
    fields.stream()
        .filter(f -> f.role() == FieldSpec.Role.FEATURE || f.role() == FieldSpec.Role.LABEL)
        .forEach(f -> names.add(f.name()));
    derivedFeatures.forEach(d -> names.add(d.name()));
    return names;
  }

  private List<Task> tasks(Config config, List<String> problems) {
    List<Task> built = new ArrayList<>();
    Set<String> names = new java.util.HashSet<>();
    for (TaskConfig t : config.tasks) {
      String where = "task '" + t.name + "'";
      t.unknown.keySet().forEach(k -> problems.add(unknownKey(k, where + ": ", TASK_KEYS)));
      if (t.name == null || t.name.isBlank()) {
        problems.add("a task has no name");
        continue;
      }
      if (!t.name.matches("[A-Za-z0-9_-]+")) {
        problems.add(where + ": a name is letters, digits, _ and - (it names the model)");
      }
      if (!names.add(t.name)) {
        problems.add(where + ": two tasks have this name");
        continue;
      }
      FieldSpec label = t.label == null ? null : fieldOrNull(t.label);
      if (label == null) {
        problems.add(where + ": label '" + t.label + "' is not a field" + knownFields());
        continue;
      }
      if (label.role() != FieldSpec.Role.LABEL && label.role() != FieldSpec.Role.FEATURE) {
        problems.add(
            where
                + ": label '"
                + t.label
                + "' is role "
                + label.role().name().toLowerCase(Locale.ROOT)
                + "; a label is a field of role label or feature");
      }
      Task.Type type = choice(problems, where + ": type", Task.Type.class, String.valueOf(t.type));
      if (type == Task.Type.CLASSIFICATION
          && t.classes != null
          && t.positive == null
          && t.positiveUnless == null
          && t.positiveAbove == null) {
        type = Task.Type.MULTICLASS;
      }
      Task task = task(t, type, label, where, problems);
      if (task != null) {
        built.add(task);
      }
    }
    return built;
  }

  private Task task(
      TaskConfig t, Task.Type type, FieldSpec label, String where, List<String> problems) {
    int before = problems.size();
    Task.Positive positive = null;
    String positiveValue = null;
    List<String> classes = t.classes == null ? List.of() : t.classes;
    int definitions =
        (t.positiveAbove == null ? 0 : 1)
            + (t.positive == null ? 0 : 1)
            + (t.positiveUnless == null ? 0 : 1);
    switch (type) {
      case REGRESSION:
        if (definitions > 0 || t.classes != null) {
          problems.add(where + ": a regression task takes no positiveAbove, positive or classes");
        }
        if (!label.isNumeric()) {
          problems.add(
              where + ": regression needs a numeric label; '" + label.name() + "' is text");
        }
        break;
      case CLASSIFICATION:
        if (definitions != 1) {
          problems.add(
              where
                  + ": a binary classification names exactly one of positiveAbove (a number),"
                  + " positive (a class) or positiveUnless (a class); for multi-class list classes"
                  + " and none of these");
          break;
        }
        if (t.positiveAbove != null) {
          positive = Task.Positive.ABOVE;
          if (!label.isNumeric()) {
            problems.add(
                where + ": positiveAbove needs a numeric label; use positive: <class> for text");
          }
        } else {
          positive = t.positive != null ? Task.Positive.EQUALS : Task.Positive.NOT_EQUALS;
          positiveValue = t.positive != null ? t.positive : t.positiveUnless;
          if (!classes.isEmpty() && !classes.contains(positiveValue)) {
            problems.add(
                where
                    + ": positive class '"
                    + positiveValue
                    + "' is not one of classes "
                    + classes);
          }
        }
        break;
      case MULTICLASS:
        if (definitions > 0) {
          problems.add(where + ": a multi-class task takes classes, not positive or positiveAbove");
        }
        if (new java.util.LinkedHashSet<>(classes).size() < 2) {
          problems.add(
              where + ": a multi-class task needs classes: at least two distinct ones" + classes);
        }
        break;
      default:
        throw new AssertionError(type);
    }
    if (classes.size() != new java.util.HashSet<>(classes).size()) {
      problems.add(where + ": classes " + classes + " names a class twice");
    }
    Double fixed = null;
    if (t.threshold != null && !t.threshold.equalsIgnoreCase(Task.AUTO_THRESHOLD)) {
      try {
        fixed = Double.parseDouble(t.threshold);
      } catch (NumberFormatException e) {
        fixed = Double.NaN;
      }
      if (type != Task.Type.CLASSIFICATION) {
        problems.add(where + ": threshold is the decision threshold of a binary task only");
      } else if (!(fixed > 0 && fixed < 1)) {
        problems.add(
            where
                + ": threshold '"
                + t.threshold
                + "' is auto or a probability between 0 and 1 (the label's cut is positiveAbove)");
      }
    }
    List<String> features = features(t, label, where, problems);
    if (problems.size() > before) {
      return null;
    }
    return new Task(
        t.name,
        type,
        label.name(),
        positive,
        t.positiveAbove,
        positiveValue,
        classes,
        features,
        fixed);
  }

  /**
   * The features of a task: those it lists, or else every field of role feature and every derived
   * feature; less those it excludes, its own label and the fields that leak its label.
   */
  private List<String> features(
      TaskConfig t, FieldSpec label, String where, List<String> problems) {
    List<String> candidates = new ArrayList<>();
    if (t.features != null) {
      for (String f : t.features) {
        if (!isFeatureName(f, where, "features", problems)) {
          continue;
        }
        if (f.equals(label.name())) {
          problems.add(where + ": '" + f + "' is both its label and one of its features");
        } else if (fieldOrNull(f) != null && fieldOrNull(f).leaks().contains(label.name())) {
          problems.add(where + ": feature '" + f + "' leaks its label '" + label.name() + "'");
        } else if (candidates.contains(f)) {
          problems.add(where + ": features names '" + f + "' twice");
        } else {
          candidates.add(f);
        }
      }
    } else {
      fields.stream()
          .filter(f -> f.role() == FieldSpec.Role.FEATURE)
          .filter(f -> !f.name().equals(label.name()) && !f.leaks().contains(label.name()))
          .forEach(f -> candidates.add(f.name()));
      derivedFeatures.forEach(d -> candidates.add(d.name()));
    }
    for (String excluded : t.exclude) {
      if (isFeatureName(excluded, where, "exclude", problems)) {
        candidates.remove(excluded);
      }
    }
    if (candidates.isEmpty() && problems.stream().noneMatch(p -> p.startsWith(where))) {
      problems.add(where + ": no features left to learn from");
    }
    return candidates;
  }

  private boolean isFeatureName(String f, String where, String key, List<String> problems) {
    FieldSpec field = fieldOrNull(f);
    if (field == null && derivedFeatures.stream().noneMatch(d -> d.name().equals(f))) {
      problems.add(where + ": " + key + " names unknown field '" + f + "'" + knownFields());
      return false;
    }
    if (field != null
        && field.role() != FieldSpec.Role.FEATURE
        && field.role() != FieldSpec.Role.LABEL) {
      problems.add(
          where
              + ": "
              + key
              + " names '"
              + f
              + "' of role "
              + field.role().name().toLowerCase(Locale.ROOT)
              + "; features are fields of role feature or label, or derived features");
      return false;
    }
    return true;
  }

  private static String unknownKey(String key, String where, List<String> known) {
    String near =
        known.stream()
            .filter(k -> k.equalsIgnoreCase(key) || k.startsWith(key) || key.startsWith(k))
            .findFirst()
            .map(k -> " (did you mean '" + k + "'?)")
            .orElse("");
    return where + "unknown key '" + key + "'" + near + "; keys: " + known;
  }

  private String knownFields() {
    return "; fields: " + fields.stream().map(FieldSpec::name).toList();
  }

  private FieldSpec fieldOrNull(String fieldName) {
    for (FieldSpec f : fields) {
      if (f.name().equals(fieldName)) {
        return f;
      }
    }
    return null;
  }

  public String name() {
    return name;
  }

  public String description() {
    return description;
  }

  /** The annotated Avro schema of the use case's records. */
  public Schema schema() {
    if (schema == null) {
      schema = new Schema.Parser().parse(schemaJson);
    }
    return schema;
  }

  /**
   * The schema of records in the lake and between pipeline steps: the use-case schema plus the
   * provenance fields {@value #SOURCE_FIELD} and {@value #POSITION_FIELD}, which give every row its
   * lineage and order "last one wins" de-duplication.
   */
  public Schema lakeSchema() {
    if (lakeSchema == null) {
      Schema base = schema();
      List<Schema.Field> fields = new ArrayList<>();
      for (Schema.Field f : base.getFields()) {
        fields.add(new Schema.Field(f, f.schema()));
      }
      fields.add(
          new Schema.Field(
              SOURCE_FIELD, Schema.create(Schema.Type.STRING), "File or topic-partition read."));
      fields.add(
          new Schema.Field(
              POSITION_FIELD,
              Schema.create(Schema.Type.LONG),
              "Line, row or offset in the source."));
      Schema lake =
          Schema.createRecord(
              base.getName(), base.getDoc(), base.getNamespace(), base.isError(), fields);
      base.getObjectProps().forEach(lake::addProp);
      lakeSchema = lake;
    }
    return lakeSchema;
  }

  public List<FieldSpec> fields() {
    return fields;
  }

  /** The field of that name; an error naming the known fields if there is none. */
  public FieldSpec field(String fieldName) {
    for (FieldSpec f : fields) {
      if (f.name().equals(fieldName)) {
        return f;
      }
    }
    List<String> known = new ArrayList<>();
    fields.forEach(f -> known.add(f.name()));
    throw new IllegalArgumentException(
        "use case '" + name + "' has no field '" + fieldName + "'; fields: " + known);
  }

  public Optional<FieldSpec> idField() {
    return fields.stream().filter(f -> f.role() == FieldSpec.Role.ID).findFirst();
  }

  /**
   * The field of role event_time, if the data has one. Without it the ingest time stands in for
   * windows, no time feature can be derived and training splits by hash, not time.
   */
  public Optional<FieldSpec> eventTime() {
    return fields.stream().filter(f -> f.role() == FieldSpec.Role.EVENT_TIME).findFirst();
  }

  /** Fields annotated role: feature, in schema order (profiles and drift watch these). */
  public List<FieldSpec> features() {
    return fields.stream().filter(f -> f.role() == FieldSpec.Role.FEATURE).toList();
  }

  /**
   * True for the fields a scoring request carries: all but labels, and a label too when some task
   * learns from it (the label of one task can be a feature of another).
   */
  public boolean isRequestField(FieldSpec field) {
    return field.role() != FieldSpec.Role.LABEL
        || tasks.stream().anyMatch(t -> t.features().contains(field.name()));
  }

  /** The schema fields {@code task} learns from, in the task's order. */
  public List<FieldSpec> features(Task task) {
    return task.features().stream().map(this::fieldOrNull).filter(f -> f != null).toList();
  }

  public List<DerivedFeature> derivedFeatures() {
    return derivedFeatures;
  }

  /** The derived features {@code task} learns from. */
  public List<DerivedFeature> derivedFeatures(Task task) {
    return derivedFeatures.stream().filter(d -> task.features().contains(d.name())).toList();
  }

  /**
   * The values a label field may take when a task declares its classes (the union over its tasks);
   * empty when any value goes. Ingest rejects a label outside this list.
   */
  public Set<String> labelClasses(String fieldName) {
    Set<String> classes = new java.util.LinkedHashSet<>();
    for (Task t : tasks) {
      if (t.label().equals(fieldName)) {
        if (t.classes().isEmpty()) {
          return Set.of();
        }
        classes.addAll(t.classes());
      }
    }
    return classes;
  }

  /**
   * How the lake partitions this use case by date: the configured one, else {@code day} when there
   * is an event time and {@code none} when there is not.
   */
  public Partitioning partitioning() {
    if (partitioning != null) {
      return partitioning;
    }
    return eventTime().isPresent() ? Partitioning.DAY : Partitioning.NONE;
  }

  /** True when the config names the partitioning rather than leaving it to the data's spread. */
  public boolean partitioningConfigured() {
    return partitioning != null;
  }

  public List<Task> tasks() {
    return tasks;
  }

  /** The task of that name; an error listing the known tasks if there is none. */
  public Task task(String taskName) {
    for (Task t : tasks) {
      if (t.name().equals(taskName)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "use case '"
            + name
            + "' has no task '"
            + taskName
            + "'; tasks: "
            + tasks.stream().map(Task::name).toList());
  }

  /**
   * The registered model of {@code task}, {@code <use case>-<task>}: what training registers and
   * serving follows, named in this one place.
   */
  public String modelName(Task task) {
    return name + "-" + task.name();
  }

  /**
   * The Kafka consumer group (and exactly-once sink group) of {@code pipeline} for this use case,
   * {@code mlops-<pipeline>-<use case>[-<task>]}; {@code task} null for pipelines that serve every
   * task, such as ingest.
   */
  public String consumerGroup(String pipeline, Task task) {
    return "mlops-" + pipeline + "-" + name + (task == null ? "" : "-" + task.name());
  }

  public Topics topics() {
    return topics;
  }

  public ZoneId timeZone() {
    return ZoneId.of(timeZone);
  }

  public UnknownFieldPolicy unknownFieldPolicy() {
    return unknownFieldPolicy;
  }

  /** How the use case's data is tested for drift ({@code drift:}). */
  public DriftSettings drift() {
    return drift;
  }

  /** The alert rules on the live metrics ({@code alerts:}), in the config's order. */
  public List<AlertRule> alerts() {
    return alerts;
  }

  /**
   * How long, in event time, the feedback-metrics join waits for the other side of a request (its
   * truth, or its prediction) before it counts it unmatched: the feedback delay with a margin.
   */
  public Duration feedbackTtl() {
    return feedbackTtl;
  }

  private static Duration duration(
      List<String> problems, String key, String text, Duration fallback) {
    try {
      Duration parsed = Duration.parse(text);
      if (!parsed.isNegative() && !parsed.isZero()) {
        return parsed;
      }
    } catch (RuntimeException e) {
      // reported below
    }
    problems.add(key + " '" + text + "' is not a positive ISO-8601 duration such as PT2H");
    return fallback;
  }

  /** How long streaming de-duplication remembers an id. */
  public Duration dedupTtl() {
    return dedupTtl;
  }

  @Override
  public String toString() {
    return "UseCase(" + name + ")";
  }
}
