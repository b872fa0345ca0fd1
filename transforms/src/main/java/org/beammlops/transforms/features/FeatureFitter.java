package org.beammlops.transforms.features;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.schemas.usecase.DerivedFeature;
import org.beammlops.schemas.usecase.FieldSpec;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;

/**
 * Fits a {@link FeatureSpec} from records of a use case: the plain-Java core of {@link
 * FitFeatureSpec}'s combiner, and of {@link FeatureSpec#fit}. Features are the use case's schema
 * features in schema order, then its derived features (categorical, with their natural values) in
 * config order.
 */
public final class FeatureFitter implements Serializable {
  private static final long serialVersionUID = 1L;

  /** What is fitted for one feature. */
  private record Plan(
      String name,
      boolean numeric,
      String source,
      DerivedFeature.Function function,
      boolean numericOrder,
      int minCount)
      implements Serializable {}

  private final String useCase;
  private final String timeZone;
  private final List<Plan> plans;
  private final boolean[] numeric;

  private FeatureFitter(String useCase, String timeZone, List<Plan> plans) {
    this.useCase = useCase;
    this.timeZone = timeZone;
    this.plans = List.copyOf(plans);
    this.numeric = new boolean[plans.size()];
    for (int i = 0; i < plans.size(); i++) {
      numeric[i] = plans.get(i).numeric();
    }
  }

  /**
   * The fitter of the features every field of role feature and every derived feature makes; fails
   * on a min-count for a non-categorical feature.
   */
  public static FeatureFitter of(UseCase useCase, FitOptions options) {
    return of(useCase, useCase.features(), useCase.derivedFeatures(), options);
  }

  /** The fitter of the features {@code task} learns from. */
  public static FeatureFitter of(UseCase useCase, Task task, FitOptions options) {
    return of(useCase, useCase.features(task), useCase.derivedFeatures(task), options);
  }

  private static FeatureFitter of(
      UseCase useCase,
      List<FieldSpec> fields,
      List<DerivedFeature> derivedFeatures,
      FitOptions options) {
    List<Plan> plans = new ArrayList<>();
    Set<String> categorical = new HashSet<>();
    for (FieldSpec f : fields) {
      boolean isNumeric = f.kind() == FieldSpec.Kind.NUMERIC;
      boolean numericValues =
          f.type() != FieldSpec.ValueType.STRING && f.type() != FieldSpec.ValueType.BOOLEAN;
      if (!isNumeric) {
        categorical.add(f.name());
      }
      plans.add(
          new Plan(f.name(), isNumeric, f.name(), null, numericValues, options.minCount(f.name())));
    }
    for (DerivedFeature d : derivedFeatures) {
      categorical.add(d.name());
      plans.add(
          new Plan(d.name(), false, d.from(), d.function(), true, options.minCount(d.name())));
    }
    for (String name : options.minCounts().keySet()) {
      if (!categorical.contains(name)) {
        throw new IllegalArgumentException(
            "use case '"
                + useCase.name()
                + "' has no categorical feature '"
                + name
                + "' to set a minCount for; categorical features: "
                + categorical.stream().sorted().toList());
      }
    }
    return new FeatureFitter(useCase.name(), useCase.timeZone().getId(), plans);
  }

  public String useCase() {
    return useCase;
  }

  /** An empty accumulator. */
  public FeatureStats createStats() {
    return new FeatureStats(numeric);
  }

  /** Adds one record to {@code stats} and returns it. */
  public FeatureStats add(FeatureStats stats, GenericRecord record) {
    ZoneId zone = ZoneId.of(timeZone);
    stats.rows++;
    for (int i = 0; i < plans.size(); i++) {
      Plan p = plans.get(i);
      if (p.numeric()) {
        stats.addNumeric(i, FeatureValues.numeric(record, p.source()));
      } else {
        stats.addCategory(i, FeatureValues.category(record, p.source(), p.function(), zone));
      }
    }
    return stats;
  }

  /** Merges accumulators into a new one; the inputs are left as they were. */
  public FeatureStats merge(Iterable<FeatureStats> accumulators) {
    FeatureStats merged = createStats();
    for (FeatureStats s : accumulators) {
      merged.mergeFrom(s);
    }
    return merged;
  }

  /** The spec of everything added; fails when no row was added. */
  public FeatureSpec finish(FeatureStats stats) {
    if (stats.rows == 0) {
      throw new NoRowsToFitException(useCase);
    }
    List<Feature> features = new ArrayList<>();
    for (int i = 0; i < plans.size(); i++) {
      Plan p = plans.get(i);
      features.add(p.numeric() ? numericFeature(p, stats, i) : categoricalFeature(p, stats, i));
    }
    return new FeatureSpec(FeatureSpec.VERSION, useCase, timeZone, stats.rows, features);
  }

  private static NumericFeature numericFeature(Plan p, FeatureStats stats, int i) {
    long n = stats.count[i];
    double mean = 0;
    double std = 0;
    if (n > 0) {
      MathContext mc = MathContext.DECIMAL128;
      BigDecimal count = BigDecimal.valueOf(n);
      BigDecimal s = stats.sum[i];
      mean = s.divide(count, mc).doubleValue();
      // n * Q - S^2 is exact and, by Cauchy-Schwarz, never negative.
      BigDecimal numerator = count.multiply(stats.sumOfSquares[i]).subtract(s.multiply(s));
      BigDecimal variance = numerator.divide(count.multiply(count), mc);
      std = variance.signum() <= 0 ? 0.0 : variance.sqrt(mc).doubleValue();
    }
    return new NumericFeature(p.name(), n, stats.missing[i], mean, std, mean);
  }

  private static CategoricalFeature categoricalFeature(Plan p, FeatureStats stats, int i) {
    Comparator<String> byValue =
        p.numericOrder() ? CategoryOrder.NUMBERS_THEN_TEXT : Comparator.naturalOrder();
    List<Map.Entry<String, Long>> kept =
        stats.values[i].entrySet().stream()
            .filter(e -> e.getValue() >= p.minCount())
            .sorted(
                Map.Entry.<String, Long>comparingByValue()
                    .reversed()
                    .thenComparing(Map.Entry.comparingByKey(byValue)))
            .toList();
    long keptRows = kept.stream().mapToLong(Map.Entry::getValue).sum();
    return new CategoricalFeature(
        p.name(),
        p.source(),
        p.function(),
        p.minCount(),
        stats.count[i],
        stats.missing[i],
        kept.stream().map(Map.Entry::getKey).toList(),
        kept.stream().map(Map.Entry::getValue).toList(),
        stats.count[i] - keptRows);
  }
}
