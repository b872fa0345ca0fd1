package org.beammlops.transforms.features;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.beammlops.schemas.usecase.UseCase;

/**
 * The fitted description of a use case's features and the one {@link #vectorize} step that both
 * training and serving use, so there is no training/serving skew. Immutable; serialized as JSON
 * beside the model ({@link #toJson()}, {@link #fromJson(String)}).
 *
 * <p>Layout of a vector ({@link #columns()}), feature by feature in {@link #features()} order: a
 * numeric feature gives its standardized value and a {@code <name>_missing} indicator; a
 * categorical one a one-hot block over its vocabulary and a last {@code <name>=<oov>} column for
 * unseen, rare and missing values.
 */
@JsonPropertyOrder({"version", "useCase", "timeZone", "rows", "features"})
public final class FeatureSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The JSON format version this code writes and reads. */
  public static final int VERSION = 1;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @JsonProperty private final int version;
  @JsonProperty private final String useCase;
  @JsonProperty private final String timeZone;
  @JsonProperty private final long rows;
  @JsonProperty private final List<Feature> features;

  /** Column index lookups, built on first use. */
  @JsonIgnore private transient volatile Layout layout;

  @JsonCreator
  FeatureSpec(
      @JsonProperty("version") int version,
      @JsonProperty("useCase") String useCase,
      @JsonProperty("timeZone") String timeZone,
      @JsonProperty("rows") long rows,
      @JsonProperty("features") List<Feature> features) {
    if (version != VERSION) {
      throw new IllegalArgumentException(
          "feature spec version "
              + version
              + " is not supported (this code reads "
              + VERSION
              + ")");
    }
    this.version = version;
    this.useCase = Objects.requireNonNull(useCase, "useCase");
    this.timeZone = Objects.requireNonNull(timeZone, "timeZone");
    ZoneId.of(timeZone);
    this.rows = rows;
    this.features = List.copyOf(Objects.requireNonNull(features, "features"));
    Set<String> names = new HashSet<>();
    for (Feature f : this.features) {
      if (!names.add(f.name())) {
        throw new IllegalArgumentException("feature spec: feature '" + f.name() + "' twice");
      }
    }
  }

  /** Fits the spec of {@code useCase} on {@code records} in plain Java (tests, small data). */
  public static FeatureSpec fit(
      UseCase useCase, FitOptions options, Iterable<? extends GenericRecord> records) {
    FeatureFitter fitter = FeatureFitter.of(useCase, options);
    FeatureStats stats = fitter.createStats();
    for (GenericRecord r : records) {
      fitter.add(stats, r);
    }
    return fitter.finish(stats);
  }

  /** Reads a spec written by {@link #toJson()}. */
  public static FeatureSpec fromJson(String json) {
    try {
      return JSON.readValue(json, FeatureSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a feature spec: " + e.getOriginalMessage(), e);
    }
  }

  /** The spec as JSON, fields in a stable order. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("feature spec could not be written as JSON", e);
    }
  }

  public int version() {
    return version;
  }

  public String useCase() {
    return useCase;
  }

  /** The zone derived time features are computed in. */
  public ZoneId timeZone() {
    return ZoneId.of(timeZone);
  }

  /** Rows the spec was fitted on. */
  public long rows() {
    return rows;
  }

  public List<Feature> features() {
    return features;
  }

  /** The feature of that name; an error listing the known ones if there is none. */
  public Feature feature(String name) {
    for (Feature f : features) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "feature spec of '"
            + useCase
            + "' has no feature '"
            + name
            + "'; features: "
            + features.stream().map(Feature::name).toList());
  }

  /** The names of the columns of {@link #vectorize}'s output, in order. */
  public List<String> columns() {
    return layout().columns;
  }

  /** The length of {@link #vectorize}'s output. */
  public int width() {
    return layout().columns.size();
  }

  /** The feature vector of one record (training or serving), laid out as {@link #columns()}. */
  public float[] vectorize(GenericRecord record) {
    Layout l = layout();
    float[] out = new float[l.columns.size()];
    int offset = 0;
    for (int i = 0; i < features.size(); i++) {
      Feature f = features.get(i);
      if (f instanceof NumericFeature n) {
        Double x = FeatureValues.numeric(record, n.name());
        out[offset] = (float) n.standardize(x);
        out[offset + 1] = x == null ? 1f : 0f;
        offset += 2;
      } else {
        CategoricalFeature c = (CategoricalFeature) f;
        String value = FeatureValues.category(record, c.source(), c.function(), l.zone);
        Integer index = value == null ? null : l.indexes.get(i).get(value);
        out[offset + (index == null ? c.vocabulary().size() : index)] = 1f;
        offset += c.width();
      }
    }
    return out;
  }

  private Layout layout() {
    Layout l = layout;
    if (l == null) {
      l = new Layout(features, ZoneId.of(timeZone));
      layout = l;
    }
    return l;
  }

  /** Column names and, per categorical feature, value → position in its block. */
  private static final class Layout {
    final List<String> columns;
    final List<Map<String, Integer>> indexes;
    final ZoneId zone;

    Layout(List<Feature> features, ZoneId zone) {
      List<String> names = new ArrayList<>();
      List<Map<String, Integer>> maps = new ArrayList<>();
      for (Feature f : features) {
        names.addAll(f.columnNames());
        Map<String, Integer> index = new HashMap<>();
        if (f instanceof CategoricalFeature c) {
          for (int j = 0; j < c.vocabulary().size(); j++) {
            index.put(c.vocabulary().get(j), j);
          }
        }
        maps.add(index);
      }
      this.columns = List.copyOf(names);
      this.indexes = List.copyOf(maps);
      this.zone = zone;
    }
  }

  /** A deterministic coder: the spec's JSON as UTF-8. */
  public static Coder<FeatureSpec> coder() {
    return FeatureSpecCoder.INSTANCE;
  }

  private static final class FeatureSpecCoder extends AtomicCoder<FeatureSpec> {
    static final FeatureSpecCoder INSTANCE = new FeatureSpecCoder();

    @Override
    public void encode(FeatureSpec value, OutputStream out) throws IOException {
      StringUtf8Coder.of().encode(value.toJson(), out);
    }

    @Override
    public FeatureSpec decode(InputStream in) throws IOException {
      return fromJson(StringUtf8Coder.of().decode(in));
    }

    @Override
    public void verifyDeterministic() {}

    private Object readResolve() {
      return INSTANCE;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureSpec s
        && version == s.version
        && rows == s.rows
        && useCase.equals(s.useCase)
        && timeZone.equals(s.timeZone)
        && features.equals(s.features);
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, useCase, timeZone, rows, features);
  }

  @Override
  public String toString() {
    return "FeatureSpec("
        + useCase
        + ", rows="
        + rows
        + ", features="
        + features.stream().map(Feature::name).toList()
        + ", width="
        + width()
        + ")";
  }
}
