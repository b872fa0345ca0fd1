package org.beammlops.schemas.usecase;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  /** The YAML config file, as Jackson reads it; unknown keys are errors. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  static final class Config {
    @JsonProperty public String name;
    @JsonProperty public String description = "";
    @JsonProperty public String schema;
    @JsonProperty public String timeZone = "UTC";
    @JsonProperty public String unknownFields = "ignore";
    @JsonProperty public List<Map<String, String>> derivedFeatures = new ArrayList<>();
    @JsonProperty public List<Map<String, Object>> tasks = new ArrayList<>();
    @JsonProperty public Map<String, String> topics = new LinkedHashMap<>();
    @JsonProperty public String dedupTtl = "PT1H";
  }

  private final String name;
  private final String description;
  private final String schemaJson;
  private final List<FieldSpec> fields;
  private final List<DerivedFeature> derivedFeatures;
  private final List<Task> tasks;
  private final Topics topics;
  private final String timeZone;
  private final UnknownFieldPolicy unknownFieldPolicy;
  private final Duration dedupTtl;
  private transient Schema schema;
  private transient Schema lakeSchema;

  /** Provenance field of lake records: the file or topic-partition a record was read from. */
  public static final String SOURCE_FIELD = "ingest_source";

  /** Provenance field of lake records: line, row or offset within its source. */
  public static final String POSITION_FIELD = "ingest_position";

  UseCase(Config config, String schemaJson) {
    this.name = require(config.name, "name");
    this.description = config.description;
    this.schemaJson = schemaJson;
    Schema parsed = new Schema.Parser().parse(schemaJson);
    if (parsed.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException("use case '" + name + "': schema must be a record");
    }
    List<FieldSpec> specs = new ArrayList<>();
    for (Schema.Field field : parsed.getFields()) {
      specs.add(FieldSpec.of(field));
    }
    this.fields = Collections.unmodifiableList(specs);
    this.timeZone = config.timeZone;
    ZoneId.of(timeZone); // fails early on a bad zone
    this.unknownFieldPolicy = UnknownFieldPolicy.valueOf(config.unknownFields.toUpperCase());
    this.dedupTtl = Duration.parse(config.dedupTtl);
    List<DerivedFeature> derived = new ArrayList<>();
    for (Map<String, String> d : config.derivedFeatures) {
      String from = require(d.get("from"), "derivedFeatures.from");
      field(from); // must exist
      derived.add(
          new DerivedFeature(
              require(d.get("name"), "derivedFeatures.name"),
              from,
              DerivedFeature.Function.valueOf(
                  require(d.get("function"), "derivedFeatures.function").toUpperCase())));
    }
    this.derivedFeatures = Collections.unmodifiableList(derived);
    List<Task> taskList = new ArrayList<>();
    for (Map<String, Object> t : config.tasks) {
      String label = require((String) t.get("label"), "tasks.label");
      if (field(label).role() != FieldSpec.Role.LABEL) {
        throw new IllegalArgumentException(
            "use case '" + name + "': task label '" + label + "' is not annotated role: label");
      }
      Object threshold = t.get("threshold");
      taskList.add(
          new Task(
              require((String) t.get("name"), "tasks.name"),
              Task.Type.valueOf(require((String) t.get("type"), "tasks.type").toUpperCase()),
              label,
              threshold == null ? null : ((Number) threshold).doubleValue()));
    }
    this.tasks = Collections.unmodifiableList(taskList);
    this.topics = new Topics(name, config.topics);
    if (eventTimeFieldOrNull() == null) {
      throw new IllegalArgumentException(
          "use case '" + name + "': one field must be annotated role: event_time");
    }
  }

  private String require(String value, String key) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("use case config: '" + key + "' is required");
    }
    return value;
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

  public FieldSpec eventTimeField() {
    return eventTimeFieldOrNull();
  }

  private FieldSpec eventTimeFieldOrNull() {
    return fields.stream()
        .filter(f -> f.role() == FieldSpec.Role.EVENT_TIME)
        .findFirst()
        .orElse(null);
  }

  /** Fields annotated role: feature, in schema order. */
  public List<FieldSpec> features() {
    return fields.stream().filter(f -> f.role() == FieldSpec.Role.FEATURE).toList();
  }

  public List<DerivedFeature> derivedFeatures() {
    return derivedFeatures;
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

  /** How long streaming de-duplication remembers an id. */
  public Duration dedupTtl() {
    return dedupTtl;
  }

  @Override
  public String toString() {
    return "UseCase(" + name + ")";
  }
}
