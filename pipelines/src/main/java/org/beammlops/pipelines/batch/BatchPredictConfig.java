package org.beammlops.pipelines.batch;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A batch-predict job as its YAML file says it: where records come from, which model scores them,
 * where predictions go. Parsed strictly, so that a typo is an error naming the key (e.g. {@code
 * source.formt}) instead of a silently ignored setting; {@link #load} also fills defaults and
 * resolves relative paths against the file's directory.
 *
 * @param useCase use case of the records (default {@code flights})
 * @param task task the model predicts, e.g. {@code delay15}
 * @param batchSize largest batch RunInference scores at once
 */
public record BatchPredictConfig(
    String useCase,
    String task,
    Integer batchSize,
    Source source,
    ModelConfig model,
    Target target) {

  static final int DEFAULT_BATCH_SIZE = 512;

  /**
   * Files ({@code type: file}: {@code path}, a file or glob, and {@code format}) or a bounded read
   * of a topic ({@code type: kafka}: {@code topic}, {@code bootstrap}, {@code maxRecords} and/or
   * {@code maxReadSeconds}).
   */
  public record Source(
      String type,
      String format,
      String path,
      String topic,
      String bootstrap,
      Long maxRecords,
      Long maxReadSeconds) {
    @JsonIgnore
    public boolean isKafka() {
      return "kafka".equals(type);
    }
  }

  /** The model: a {@code models:/} URI through {@code trackingUri}, or a local model directory. */
  public record ModelConfig(String uri, String trackingUri) {}

  /**
   * Files under a directory ({@code type: file}: {@code path}, {@code format} json, csv or parquet,
   * {@code shards}; dead letters under {@code <path>/deadletter/}) or a topic ({@code type: kafka}:
   * {@code topic}, {@code bootstrap}, {@code format} json or avro, {@code deadLetterTopic}).
   */
  public record Target(
      String type,
      String format,
      String path,
      Integer shards,
      Boolean overwrite,
      String topic,
      String bootstrap,
      String deadLetterTopic) {
    @JsonIgnore
    public boolean isKafka() {
      return "kafka".equals(type);
    }
  }

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION))
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

  /** Reads, checks and completes the job file; every error names the file and the key. */
  public static BatchPredictConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("job file " + file + " does not exist");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read job file " + file + ": " + e.getMessage());
    }
    Path dir = file.toAbsolutePath().normalize().getParent();
    try {
      return parse(text, dir);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /** {@link #load} of YAML text whose relative paths are relative to {@code dir}. */
  static BatchPredictConfig parse(String yaml, Path dir) {
    if (yaml.lines().allMatch(line -> line.isBlank() || line.strip().startsWith("#"))) {
      throw new IllegalArgumentException("the job file is empty");
    }
    BatchPredictConfig raw;
    try {
      raw = YAML.readValue(yaml, BatchPredictConfig.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          isSyntaxError(e)
              ? "not valid YAML: " + e.getOriginalMessage().replaceAll("\\s*\n\\s*", " ")
              : describe((JsonMappingException) e),
          e);
    }
    if (raw == null) {
      throw new IllegalArgumentException("the job file is empty");
    }
    return raw.checked(dir);
  }

  /** Defaults filled in, paths resolved, and each rule checked with the key it is about. */
  private BatchPredictConfig checked(Path dir) {
    // left out, both are taken from the model, which knows what it was trained for
    String uc = useCase == null ? null : required("useCase", useCase);
    String t = task == null ? null : required("task", task);
    int batch = batchSize == null ? DEFAULT_BATCH_SIZE : batchSize;
    if (batch < 1) {
      throw new IllegalArgumentException("batchSize: must be at least 1, got " + batch);
    }
    return new BatchPredictConfig(
        uc, t, batch, checkSource(dir), checkModel(dir), checkTarget(dir));
  }

  private Source checkSource(Path dir) {
    Source s = present("source", source);
    String type = type("source", s.type());
    if (type.equals("file")) {
      notFor("source", "file", "topic", s.topic());
      notFor("source", "file", "bootstrap", s.bootstrap());
      notFor("source", "file", "maxRecords", s.maxRecords());
      notFor("source", "file", "maxReadSeconds", s.maxReadSeconds());
      String format =
          format("source", s.format(), "auto", List.of("auto", "csv", "json", "parquet"));
      String path = resolve(dir, required("source.path", s.path()));
      return new Source(type, format, path, null, null, null, null);
    }
    notFor("source", "kafka", "path", s.path());
    String format = format("source", s.format(), "auto", List.of("auto", "json", "avro"));
    long maxRecords = nonNegative("source.maxRecords", s.maxRecords());
    long maxReadSeconds = nonNegative("source.maxReadSeconds", s.maxReadSeconds());
    if (maxRecords == 0 && maxReadSeconds == 0) {
      throw new IllegalArgumentException(
          "source.maxRecords: required for a kafka source (a batch read must end), or"
              + " source.maxReadSeconds");
    }
    return new Source(
        type,
        format,
        null,
        required("source.topic", s.topic()),
        s.bootstrap(),
        maxRecords,
        maxReadSeconds);
  }

  private ModelConfig checkModel(Path dir) {
    ModelConfig m = present("model", model);
    String uri =
        required(
            "model.uri (models:/<name>@<alias>, models:/<name>/<version> or a local MLflow model"
                + " directory)",
            m.uri());
    return new ModelConfig(uri.startsWith("models:/") ? uri : resolve(dir, uri), m.trackingUri());
  }

  private Target checkTarget(Path dir) {
    Target t = present("target", target);
    String type = type("target", t.type());
    if (type.equals("file")) {
      notFor("target", "file", "topic", t.topic());
      notFor("target", "file", "bootstrap", t.bootstrap());
      notFor("target", "file", "deadLetterTopic", t.deadLetterTopic());
      String format = format("target", t.format(), "json", List.of("json", "csv", "parquet"));
      int shards = t.shards() == null ? 0 : t.shards();
      if (shards < 0) {
        throw new IllegalArgumentException("target.shards: must be 0 (the runner decides) or more");
      }
      String path = resolve(dir, required("target.path", t.path()));
      return new Target(
          type, format, path, shards, Boolean.TRUE.equals(t.overwrite()), null, null, null);
    }
    notFor("target", "kafka", "path", t.path());
    notFor("target", "kafka", "shards", t.shards());
    notFor("target", "kafka", "overwrite", t.overwrite());
    String format = format("target", t.format(), "json", List.of("json", "avro"));
    return new Target(
        type,
        format,
        null,
        null,
        null,
        required("target.topic", t.topic()),
        t.bootstrap(),
        t.deadLetterTopic());
  }

  private static <T> T present(String key, T section) {
    if (section == null) {
      throw new IllegalArgumentException(key + ": required");
    }
    return section;
  }

  private static String required(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + ": required");
    }
    return value;
  }

  private static String type(String section, String type) {
    String t = required(section + ".type (file or kafka)", type);
    if (!t.equals("file") && !t.equals("kafka")) {
      throw new IllegalArgumentException(
          section + ".type: unknown type '" + t + "'; use file or kafka");
    }
    return t;
  }

  private static String format(String section, String value, String fallback, List<String> known) {
    if (value == null) {
      return fallback;
    }
    String f = value.toLowerCase(Locale.ROOT);
    if (!known.contains(f)) {
      throw new IllegalArgumentException(
          section + ".format: unknown format '" + value + "'; use " + String.join(", ", known));
    }
    return f;
  }

  private static void notFor(String section, String type, String key, Object value) {
    if (value != null) {
      throw new IllegalArgumentException(
          section + "." + key + ": not a setting of a " + type + " " + section);
    }
  }

  private static long nonNegative(String key, Long value) {
    if (value != null && value < 0) {
      throw new IllegalArgumentException(key + ": must be 0 or more, got " + value);
    }
    return value == null ? 0 : value;
  }

  /** A relative local path against the job file's directory; URIs and absolute paths as given. */
  static String resolve(Path dir, String path) {
    if (path.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") || Path.of(path).isAbsolute()) {
      return path;
    }
    return dir.resolve(path).normalize().toString();
  }

  /** A YAML syntax error, which Jackson may wrap in a mapping error of the enclosing key. */
  private static boolean isSyntaxError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StreamReadException || t instanceof YAMLException) {
        return true;
      }
    }
    return !(e instanceof JsonMappingException);
  }

  /** The key path and a short reason, instead of Jackson's message about Java classes. */
  private static String describe(JsonMappingException e) {
    String key =
        e.getPath().stream()
            .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
            .collect(Collectors.joining("."))
            .replace(".[", "[");
    if (e instanceof UnrecognizedPropertyException u) {
      return key + ": unknown key; known keys here: " + known(u.getKnownPropertyIds());
    }
    if (e instanceof InvalidFormatException f) {
      return key + ": expected " + expected(f.getTargetType()) + ", got '" + f.getValue() + "'";
    }
    if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      return (key.isEmpty() ? "the job file" : key) + ": expected " + expected(m.getTargetType());
    }
    return (key.isEmpty() ? "" : key + ": ") + e.getOriginalMessage();
  }

  private static String known(Collection<Object> ids) {
    Set<String> names = new TreeSet<>();
    ids.forEach(id -> names.add(String.valueOf(id)));
    return String.join(", ", names);
  }

  private static String expected(Class<?> type) {
    if (type == Integer.class || type == Long.class || type == int.class || type == long.class) {
      return "a whole number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a text value";
    }
    return "a mapping of keys to values";
  }
}
