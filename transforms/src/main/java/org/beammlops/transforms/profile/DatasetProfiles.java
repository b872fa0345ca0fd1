package org.beammlops.transforms.profile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.schemas.FeatureProfile;
import org.beammlops.schemas.HistogramBin;
import org.beammlops.schemas.usecase.UseCase;

/**
 * Dataset profiles in plain Java: computed from an iterable (tests, small data) with the same code
 * as {@link ProfileDataset}, and written as, or read from, the {@code reference_profile.json} kept
 * in the model directory.
 *
 * <p>The JSON mirrors the Avro record field for field, plus a format {@code version}; timestamps
 * are ISO-8601 text, quantiles are listed by rank, categories by descending count, and each
 * histogram bin takes one line, so the file is readable and diffs well. Writing then reading gives
 * back an equal record.
 */
public final class DatasetProfiles {
  /**
   * The JSON format version this code writes. Version 2 added {@code distinct} and the numeric
   * features' {@code sketch} (base64); version 1 profiles are still read, without them.
   */
  public static final int JSON_VERSION = 2;

  /** The oldest version this code reads. */
  public static final int OLDEST_JSON_VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  private DatasetProfiles() {}

  /** Profiles {@code records} of {@code useCase}, stamped with the current time. */
  public static DatasetProfile of(UseCase useCase, Iterable<? extends GenericRecord> records) {
    return of(useCase, records, Instant.now());
  }

  /** Profiles {@code records} of {@code useCase}, stamped {@code createdAt}. */
  public static DatasetProfile of(
      UseCase useCase, Iterable<? extends GenericRecord> records, Instant createdAt) {
    DatasetProfiler profiler = DatasetProfiler.of(useCase);
    ProfileAccumulator accumulator = profiler.createAccumulator();
    for (GenericRecord r : records) {
      profiler.add(accumulator, r);
    }
    return profiler.finish(accumulator, createdAt);
  }

  /** The coder of profiles between pipeline steps (Avro binary). */
  public static Coder<DatasetProfile> coder() {
    return AvroCoder.of(DatasetProfile.class);
  }

  /** The profile as indented JSON, fields in a stable order. */
  public static String toJson(DatasetProfile profile) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", JSON_VERSION);
    root.put("useCase", profile.getUseCase());
    root.put("createdAt", profile.getCreatedAt().toString());
    putInstant(root, "windowStart", profile.getWindowStart());
    putInstant(root, "windowEnd", profile.getWindowEnd());
    root.put("rowCount", profile.getRowCount());
    ArrayNode features = root.putArray("features");
    for (FeatureProfile f : profile.getFeatures()) {
      features.add(featureJson(f));
    }
    try {
      return JSON.writer(new ProfilePrettyPrinter()).writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("dataset profile could not be written as JSON", e);
    }
  }

  private static ObjectNode featureJson(FeatureProfile f) {
    ObjectNode node = JSON.createObjectNode();
    node.put("name", f.getName());
    node.put("kind", f.getKind());
    node.put("count", f.getCount());
    node.put("missing", f.getMissing());
    node.put("min", f.getMin());
    node.put("max", f.getMax());
    node.put("mean", f.getMean());
    node.put("stddev", f.getStddev());
    ObjectNode quantiles = node.putObject("quantiles");
    f.getQuantiles().entrySet().stream()
        .sorted(Comparator.comparingDouble(e -> rank(e.getKey())))
        .forEach(e -> quantiles.put(e.getKey(), e.getValue()));
    ArrayNode histogram = node.putArray("histogram");
    for (HistogramBin b : f.getHistogram()) {
      histogram
          .addObject()
          .put("lower", b.getLower())
          .put("upper", b.getUpper())
          .put("count", b.getCount());
    }
    ObjectNode frequencies = node.putObject("frequencies");
    for (Map.Entry<String, Long> e : Categories.ordered(f.getFrequencies())) {
      frequencies.put(e.getKey(), e.getValue());
    }
    node.put("distinct", f.getDistinct());
    putBytes(node, "distinctSketch", f.getDistinctSketch());
    putBytes(node, "sketch", f.getSketch());
    return node;
  }

  private static void putBytes(ObjectNode node, String field, java.nio.ByteBuffer value) {
    if (value == null) {
      node.putNull(field);
    } else {
      node.put(field, Base64.getEncoder().encodeToString(bytes(value)));
    }
  }

  private static double rank(String key) {
    try {
      return Double.parseDouble(key);
    } catch (NumberFormatException e) {
      return Double.NaN; // sorted last
    }
  }

  private static void putInstant(ObjectNode node, String field, Instant value) {
    if (value == null) {
      node.putNull(field);
    } else {
      node.put(field, value.toString());
    }
  }

  /** Reads a profile written by {@link #toJson}; an error saying what is wrong otherwise. */
  public static DatasetProfile fromJson(String json) {
    try {
      JsonNode root = JSON.readTree(json);
      if (root == null || !root.isObject()) {
        throw new IllegalArgumentException("not a dataset profile: not a JSON object");
      }
      int version = (int) longField(root, "version");
      if (version < OLDEST_JSON_VERSION || version > JSON_VERSION) {
        throw new IllegalArgumentException(
            "dataset profile version "
                + version
                + " is not supported (this code reads "
                + OLDEST_JSON_VERSION
                + " to "
                + JSON_VERSION
                + ")");
      }
      List<FeatureProfile> features = new ArrayList<>();
      for (JsonNode f : field(root, "features")) {
        features.add(featureFromJson(f));
      }
      return DatasetProfile.newBuilder()
          .setUseCase(textField(root, "useCase"))
          .setCreatedAt(instantField(root, "createdAt"))
          .setWindowStart(
              root.path("windowStart").isNull() ? null : instantField(root, "windowStart"))
          .setWindowEnd(root.path("windowEnd").isNull() ? null : instantField(root, "windowEnd"))
          .setRowCount(longField(root, "rowCount"))
          .setFeatures(features)
          .build();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a dataset profile: " + e.getOriginalMessage(), e);
    }
  }

  private static FeatureProfile featureFromJson(JsonNode node) {
    Map<String, Double> quantiles = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = field(node, "quantiles").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      quantiles.put(e.getKey(), number(e.getValue(), "quantiles." + e.getKey()));
    }
    List<HistogramBin> histogram = new ArrayList<>();
    for (JsonNode b : field(node, "histogram")) {
      histogram.add(
          HistogramBin.newBuilder()
              .setLower(number(field(b, "lower"), "lower"))
              .setUpper(number(field(b, "upper"), "upper"))
              .setCount(longField(b, "count"))
              .build());
    }
    Map<String, Long> frequencies = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = field(node, "frequencies").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().canConvertToExactIntegral()) {
        throw new IllegalArgumentException(
            "dataset profile: frequency of '" + e.getKey() + "' is not an integer");
      }
      frequencies.put(e.getKey(), e.getValue().longValue());
    }
    return FeatureProfile.newBuilder()
        .setName(textField(node, "name"))
        .setKind(textField(node, "kind"))
        .setCount(longField(node, "count"))
        .setMissing(longField(node, "missing"))
        .setMin(optionalNumber(node, "min"))
        .setMax(optionalNumber(node, "max"))
        .setMean(optionalNumber(node, "mean"))
        .setStddev(optionalNumber(node, "stddev"))
        .setQuantiles(quantiles)
        .setHistogram(histogram)
        .setFrequencies(frequencies)
        .setDistinct(optionalNumber(node, "distinct"))
        .setDistinctSketch(base64(node, "distinctSketch"))
        .setSketch(base64(node, "sketch"))
        .build();
  }

  private static java.nio.ByteBuffer base64(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new IllegalArgumentException("dataset profile: '" + field + "' is not base64 text");
    }
    try {
      return java.nio.ByteBuffer.wrap(Base64.getDecoder().decode(value.textValue()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("dataset profile: '" + field + "' is not base64 text", e);
    }
  }

  /** The bytes of a buffer, which is left as it was. */
  public static byte[] bytes(java.nio.ByteBuffer buffer) {
    java.nio.ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static JsonNode field(JsonNode node, String name) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("dataset profile: '" + name + "' is missing");
    }
    return value;
  }

  private static String textField(JsonNode node, String name) {
    JsonNode value = field(node, name);
    if (!value.isTextual()) {
      throw new IllegalArgumentException("dataset profile: '" + name + "' is not text");
    }
    return value.textValue();
  }

  private static long longField(JsonNode node, String name) {
    JsonNode value = field(node, name);
    if (!value.canConvertToExactIntegral() || !value.canConvertToLong()) {
      throw new IllegalArgumentException("dataset profile: '" + name + "' is not an integer");
    }
    return value.longValue();
  }

  private static Double optionalNumber(JsonNode node, String name) {
    JsonNode value = node.get(name);
    return value == null || value.isNull() ? null : number(value, name);
  }

  private static double number(JsonNode value, String name) {
    if (!value.isNumber()) {
      throw new IllegalArgumentException("dataset profile: '" + name + "' is not a number");
    }
    return value.doubleValue();
  }

  private static Instant instantField(JsonNode node, String name) {
    String text = textField(node, name);
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "dataset profile: '" + name + "' is not an ISO-8601 instant: " + text, e);
    }
  }
}
