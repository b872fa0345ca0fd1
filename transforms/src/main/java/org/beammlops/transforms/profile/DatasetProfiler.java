package org.beammlops.transforms.profile;

import static org.apache.datasketches.quantilescommon.QuantileSearchCriteria.INCLUSIVE;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.schemas.FeatureProfile;
import org.beammlops.schemas.usecase.DerivedFeature;
import org.beammlops.schemas.usecase.FieldSpec;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.features.FeatureValues;

/**
 * Profiles records of a use case: the plain-Java core of {@link ProfileDataset}'s combiner and of
 * {@link DatasetProfiles#of}. It profiles the features as the model sees them before vectorizing,
 * read through {@link FeatureValues} exactly as the feature spec reads them and under the same
 * names: the schema's features in schema order, then the derived features (categorical, e.g. {@code
 * hour_of_day} with values {@code "0"}..{@code "23"}) in config order, then the labels in schema
 * order, so label drift shows too.
 *
 * <p>Per feature: count of present values, missing count, and for numeric values min, max, mean and
 * population standard deviation (exact sums, as the feature spec fit computes them; for categorical
 * features only when the values are numbers, like derived time features, else null). Numeric
 * features add {@link #QUANTILE_RANKS quantiles} and a histogram of about {@value #HISTOGRAM_BINS}
 * bins (see {@link Histograms}) from a KLL sketch with k = {@value #SKETCH_K}; categorical ones add
 * exact counts per value, the {@value #TOP_K} most frequent kept and the rest summed under {@value
 * #OTHER}. Numeric features keep the sketch itself too, for the drift tests, and their exact counts
 * per value while they have few distinct values; every feature has an estimate of its number of
 * distinct values (HLL).
 *
 * <p>Everything but the quantiles and histograms is exact and independent of the order of rows and
 * merges. KLL compaction is randomized, so once a feature has more values than the sketch keeps,
 * quantiles and histograms can differ slightly between runs, within the sketch's rank error.
 */
public final class DatasetProfiler implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * The KLL sketch size: exact up to 1,000 values (so the drift tests of a small reference are
   * exact), then a normalized rank error of about 0.28% (99% confidence), in at most about 23 kB.
   */
  public static final int SKETCH_K = 1000;

  /** The ranks the numeric quantiles are reported at, keyed by {@code Double.toString(rank)}. */
  public static final List<Double> QUANTILE_RANKS =
      List.of(0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99);

  /** The number of equal-mass bins asked for; fewer remain when values repeat. */
  public static final int HISTOGRAM_BINS = 20;

  /** Categorical values beyond this many most frequent ones are summed under {@link #OTHER}. */
  public static final int TOP_K = 1000;

  /** The category that sums the values beyond the top {@value #TOP_K}; reserved. */
  public static final String OTHER = "<other>";

  /** Profile kinds, as written in {@code FeatureProfile.kind}. */
  public static final String NUMERIC = "numeric";

  public static final String CATEGORICAL = "categorical";

  /** What is profiled for one feature and how its value is read. */
  private record Plan(
      String name,
      boolean numeric,
      String source,
      DerivedFeature.Function function,
      boolean numericValues)
      implements Serializable {}

  private final String useCase;
  private final String timeZone;
  private final List<Plan> plans;

  private DatasetProfiler(String useCase, String timeZone, List<Plan> plans) {
    this.useCase = useCase;
    this.timeZone = timeZone;
    this.plans = List.copyOf(plans);
  }

  /** The profiler of a use case's features and labels. */
  public static DatasetProfiler of(UseCase useCase) {
    List<Plan> plans = new ArrayList<>();
    for (FieldSpec f : useCase.features()) {
      plans.add(plan(f));
    }
    for (DerivedFeature d : useCase.derivedFeatures()) {
      plans.add(new Plan(d.name(), false, d.from(), d.function(), true));
    }
    for (FieldSpec f : useCase.fields()) {
      if (f.role() == FieldSpec.Role.LABEL) {
        plans.add(plan(f));
      }
    }
    Set<String> names = new HashSet<>();
    for (Plan p : plans) {
      if (!names.add(p.name())) {
        throw new IllegalArgumentException(
            "use case '"
                + useCase.name()
                + "': two profiled features are named '"
                + p.name()
                + "'");
      }
    }
    return new DatasetProfiler(useCase.name(), useCase.timeZone().getId(), plans);
  }

  private static Plan plan(FieldSpec f) {
    boolean numeric = f.kind() == FieldSpec.Kind.NUMERIC;
    boolean numericValues =
        switch (f.type()) {
          case LONG, INT, DOUBLE, FLOAT -> true;
          default -> false;
        };
    return new Plan(f.name(), numeric, f.name(), null, numeric || numericValues);
  }

  /**
   * This profiler, also profiling {@code task}'s predictions under {@link
   * UseCase#PREDICTION_FIELD}: numeric (probability of the positive class, or the regression value)
   * or, for a multi-class task, the predicted class. Records without that field count it missing.
   */
  public DatasetProfiler withPredictions(Task task) {
    List<Plan> withPrediction = new ArrayList<>(plans);
    withPrediction.add(predictionPlan(task));
    return new DatasetProfiler(useCase, timeZone, withPrediction);
  }

  private static Plan predictionPlan(Task task) {
    boolean numeric = task.type() != Task.Type.MULTICLASS;
    return new Plan(UseCase.PREDICTION_FIELD, numeric, UseCase.PREDICTION_FIELD, null, numeric);
  }

  /**
   * The profile of {@code task}'s predictions from values (a Double each, or a class name for a
   * multi-class task): the reference of prediction drift, which training takes from its holdout.
   */
  public static FeatureProfile predictions(Task task, Iterable<?> values) {
    Plan p = predictionPlan(task);
    FeatureAccumulator a = FeatureAccumulator.create(p.numericValues(), p.numeric(), !p.numeric());
    for (Object v : values) {
      if (v == null || (v instanceof Double d && !Double.isFinite(d))) {
        a.addMissing();
      } else if (p.numeric()) {
        a.add((Double) v, null);
      } else {
        a.add(null, v.toString());
      }
    }
    return feature(p, a);
  }

  public String useCase() {
    return useCase;
  }

  /** The names of the profiled features, in profile order. */
  public List<String> featureNames() {
    return plans.stream().map(Plan::name).toList();
  }

  /** An empty accumulator. */
  public ProfileAccumulator createAccumulator() {
    FeatureAccumulator[] features = new FeatureAccumulator[plans.size()];
    for (int i = 0; i < features.length; i++) {
      Plan p = plans.get(i);
      features[i] = FeatureAccumulator.create(p.numericValues(), p.numeric(), !p.numeric());
    }
    return new ProfileAccumulator(features);
  }

  /** Adds one record to {@code accumulator} and returns it. */
  public ProfileAccumulator add(ProfileAccumulator accumulator, GenericRecord record) {
    ZoneId zone = ZoneId.of(timeZone);
    accumulator.rows++;
    for (int i = 0; i < plans.size(); i++) {
      Plan p = plans.get(i);
      FeatureAccumulator f = accumulator.features[i];
      if (p.numeric()) {
        Double x = FeatureValues.numeric(record, p.source());
        if (x == null) {
          f.addMissing();
        } else {
          f.add(x, null);
        }
      } else {
        String value = FeatureValues.category(record, p.source(), p.function(), zone);
        if (value == null) {
          f.addMissing();
        } else {
          f.add(p.numericValues() ? Double.valueOf(value) : null, value);
        }
      }
    }
    return accumulator;
  }

  /** Merges accumulators into the first one (or a new one if there are none) and returns it. */
  public ProfileAccumulator merge(Iterable<ProfileAccumulator> accumulators) {
    ProfileAccumulator merged = null;
    for (ProfileAccumulator a : accumulators) {
      if (merged == null) {
        merged = a;
        continue;
      }
      if (a.features.length != merged.features.length) {
        throw new IllegalArgumentException("profile accumulators of different feature lists");
      }
      merged.rows += a.rows;
      for (int i = 0; i < merged.features.length; i++) {
        merged.features[i].mergeFrom(a.features[i]);
      }
    }
    return merged == null ? createAccumulator() : merged;
  }

  /** The profile of everything added, stamped {@code createdAt} (kept to the millisecond). */
  public DatasetProfile finish(ProfileAccumulator accumulator, Instant createdAt) {
    List<FeatureProfile> features = new ArrayList<>(plans.size());
    for (int i = 0; i < plans.size(); i++) {
      features.add(feature(plans.get(i), accumulator.features[i]));
    }
    return DatasetProfile.newBuilder()
        .setUseCase(useCase)
        .setCreatedAt(createdAt.truncatedTo(ChronoUnit.MILLIS))
        .setWindowStart(null)
        .setWindowEnd(null)
        .setRowCount(accumulator.rows)
        .setFeatures(features)
        .build();
  }

  private static FeatureProfile feature(Plan p, FeatureAccumulator a) {
    FeatureProfile.Builder b =
        FeatureProfile.newBuilder()
            .setName(p.name())
            .setKind(p.numeric() ? NUMERIC : CATEGORICAL)
            .setCount(a.count)
            .setMissing(a.missing)
            .setMin(null)
            .setMax(null)
            .setMean(null)
            .setStddev(null)
            .setQuantiles(new LinkedHashMap<>())
            .setHistogram(new ArrayList<>())
            .setFrequencies(new LinkedHashMap<>());
    if (a.sum != null && a.count > 0) {
      MathContext mc = MathContext.DECIMAL128;
      BigDecimal n = BigDecimal.valueOf(a.count);
      // n * Q - S^2 is exact and, by Cauchy-Schwarz, never negative.
      BigDecimal numerator = n.multiply(a.sumOfSquares).subtract(a.sum.multiply(a.sum));
      BigDecimal variance = numerator.divide(n.multiply(n), mc);
      b.setMin(a.min)
          .setMax(a.max)
          .setMean(a.sum.divide(n, mc).doubleValue())
          .setStddev(variance.signum() <= 0 ? 0.0 : variance.sqrt(mc).doubleValue());
    }
    if (a.sketch != null) {
      summarize(b, a.sketch);
    }
    if (a.frequencies != null) {
      b.setFrequencies(topK(a.frequencies));
    } else if (a.values != null) {
      Map<String, Long> values = new LinkedHashMap<>();
      new java.util.TreeMap<>(a.values).forEach((v, n) -> values.put(Double.toString(v), n));
      b.setFrequencies(values);
    }
    summarize(b, a.distinct);
    return b.build();
  }

  /** Quantiles, histogram and the sketch itself of a numeric feature, from its KLL sketch. */
  static void summarize(FeatureProfile.Builder b, KllDoublesSketch sketch) {
    if (sketch.isEmpty()) {
      return;
    }
    Map<String, Double> quantiles = new LinkedHashMap<>();
    double[] ranks = QUANTILE_RANKS.stream().mapToDouble(Double::doubleValue).toArray();
    double[] values = sketch.getQuantiles(ranks, INCLUSIVE);
    for (int i = 0; i < ranks.length; i++) {
      quantiles.put(Double.toString(ranks[i]), values[i]);
    }
    b.setQuantiles(quantiles)
        .setHistogram(Histograms.of(sketch, HISTOGRAM_BINS))
        .setSketch(java.nio.ByteBuffer.wrap(sketch.toByteArray()));
  }

  /** The distinct count and the HLL sketch behind it. */
  static void summarize(FeatureProfile.Builder b, HllSketch distinct) {
    b.setDistinct(distinct.isEmpty() ? 0.0 : Math.rint(distinct.getEstimate()))
        .setDistinctSketch(java.nio.ByteBuffer.wrap(distinct.toCompactByteArray()));
  }

  /**
   * The {@value #TOP_K} most frequent values (ties by value) and the rest under {@value #OTHER}.
   */
  static Map<String, Long> topK(Map<String, Long> counts) {
    List<Map.Entry<String, Long>> sorted = Categories.ordered(counts);
    Map<String, Long> out = new LinkedHashMap<>();
    long other = 0;
    for (int i = 0; i < sorted.size(); i++) {
      if (i < TOP_K) {
        out.put(sorted.get(i).getKey(), sorted.get(i).getValue());
      } else {
        other += sorted.get(i).getValue();
      }
    }
    if (other > 0) {
      out.merge(OTHER, other, Long::sum);
    }
    return out;
  }
}
