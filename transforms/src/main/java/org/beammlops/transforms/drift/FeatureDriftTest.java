package org.beammlops.transforms.drift;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.beammlops.schemas.FeatureDrift;
import org.beammlops.schemas.usecase.DriftSettings;
import org.beammlops.transforms.profile.DatasetProfiler;

/**
 * One feature's drift test, chosen as Evidently's default algorithm chooses it (its "data drift
 * algorithm" page, versions 0.4 to 0.6), unless the use case's {@code drift:} settings say
 * otherwise:
 *
 * <ul>
 *   <li>reference of at most {@value #SMALL_REFERENCE} values: Kolmogorov-Smirnov for a numeric
 *       feature with more than {@value #FEW_VALUES} distinct values, a Z-test of proportions for a
 *       categorical one with at most 2, chi-squared for the others; drift at p &lt; 0.05;
 *   <li>a larger reference: Wasserstein distance over the reference's standard deviation for a
 *       numeric feature with more than {@value #FEW_VALUES} values, Jensen-Shannon distance for the
 *       others; drift at a distance of 0.1 or more.
 * </ul>
 *
 * Distinct values are counted over both samples together. PSI is reported beside every test.
 */
public final class FeatureDriftTest {
  /** The largest reference Evidently calls small. */
  public static final long SMALL_REFERENCE = 1000;

  /** At most this many distinct values, a numeric feature is tested like a categorical one. */
  public static final int FEW_VALUES = 5;

  public static final double P_VALUE_THRESHOLD = 0.05;
  public static final double DISTANCE_THRESHOLD = 0.1;

  /** PSI's usual bands: below 0.1 stable, below 0.25 moderate, above significant. */
  public static final double PSI_MODERATE = 0.1;

  public static final double PSI_SIGNIFICANT = 0.25;

  private FeatureDriftTest() {}

  /** The default test of a feature, by its config name. */
  public static String defaultTest(FeatureDistribution reference, FeatureDistribution current) {
    double distinct = distinctOfBoth(reference, current);
    boolean manyValues = reference.numeric() && distinct > FEW_VALUES;
    if (reference.count() <= SMALL_REFERENCE) {
      if (manyValues) {
        return "ks";
      }
      return !reference.numeric() && distinct <= 2 ? "z" : "chi_squared";
    }
    return manyValues ? "wasserstein" : "jensen_shannon";
  }

  /** The default threshold of a test. */
  public static double defaultThreshold(String test) {
    return switch (test) {
      case "ks", "chi_squared", "z" -> P_VALUE_THRESHOLD;
      case "psi" -> PSI_SIGNIFICANT;
      default -> DISTANCE_THRESHOLD;
    };
  }

  /** Whether a test is a hypothesis test (drift below a p-value) rather than a distance. */
  public static boolean isHypothesisTest(String test) {
    return test.equals("ks") || test.equals("chi_squared") || test.equals("z");
  }

  /** The PSI band of a value. */
  public static String psiBand(double psi) {
    return psi < PSI_MODERATE ? "stable" : psi < PSI_SIGNIFICANT ? "moderate" : "significant";
  }

  /** Tests one feature of {@code role} (feature, label or prediction) as {@code settings} say. */
  public static FeatureDrift test(
      FeatureDistribution reference,
      FeatureDistribution current,
      String role,
      DriftSettings.Feature settings) {
    FeatureDrift.Builder out =
        FeatureDrift.newBuilder()
            .setFeature(reference.name())
            .setKind(reference.numeric() ? DatasetProfiler.NUMERIC : DatasetProfiler.CATEGORICAL)
            .setRole(role)
            .setReferenceCount(reference.count())
            .setReferenceMissing(reference.missing())
            .setCurrentCount(current.count())
            .setCurrentMissing(current.missing())
            .setStatistic(null)
            .setPValue(null)
            .setPsi(null)
            .setPsiBand("")
            .setPsiErrorBound(null)
            .setStatisticErrorBound(null)
            .setNote("");
    if (!settings.tested()) {
      return out.setTest("none")
          .setThreshold(0)
          .setDrifted(false)
          .setNote("not tested (drift: false in the use case)")
          .build();
    }
    String test = settings.test() != null ? settings.test() : defaultTest(reference, current);
    double threshold = settings.threshold() != null ? settings.threshold() : defaultThreshold(test);
    out.setTest(test).setThreshold(threshold);
    if (reference.count() == 0) {
      return out.setDrifted(false)
          .setNote("no values in the reference: nothing to compare")
          .build();
    }
    if (current.count() == 0 && role.equals("label")) {
      // The prediction log has no labels: they arrive later, as feedback.
      return out.setTest("none")
          .setDrifted(false)
          .setNote("not tested: no labels in the current data (they arrive later, as feedback)")
          .build();
    }
    if (current.count() == 0 && role.equals("prediction")) {
      // Events and files have no predictions: only the prediction log has.
      return out.setTest("none")
          .setDrifted(false)
          .setNote("not tested: no predictions in the current data (the prediction log has them)")
          .build();
    }
    if (current.count() == 0) {
      // A feature that stopped arriving is the largest change there is, not an absence of drift.
      return out.setDrifted(true)
          .setNote(
              "no values in the current data ("
                  + current.missing()
                  + " missing): the feature stopped arriving")
          .build();
    }
    double statistic;
    Double pValue = null;
    double bound = 0;
    switch (test) {
      case "ks" -> {
        DriftStatistics.Result r = DriftStatistics.ks(reference.sketch(), current.sketch());
        statistic = r.statistic();
        pValue = r.pValue();
        bound = rankError(reference) + rankError(current);
      }
      case "wasserstein" -> {
        statistic =
            DriftStatistics.wassersteinNormed(
                reference.sketch(), current.sketch(), reference.stddev());
        bound =
            (rankError(reference) + rankError(current))
                * range(reference, current)
                / Math.max(reference.stddev(), 0.001);
      }
      case "chi_squared" -> {
        DriftStatistics.Result r = DriftStatistics.chiSquared(counts(reference), counts(current));
        statistic = r.statistic();
        pValue = r.pValue();
      }
      case "z" -> {
        DriftStatistics.Result r = DriftStatistics.zTest(counts(reference), counts(current));
        statistic = r.statistic();
        pValue = r.pValue();
      }
      case "jensen_shannon" ->
          statistic = DriftStatistics.jensenShannon(counts(reference), counts(current));
      case "psi" -> {
        statistic = psi(reference, current);
        if (reference.numeric()) {
          bound =
              DriftStatistics.psiErrorBound(
                  reference.sketch(), current.sketch(), rankError(reference), rankError(current));
        }
      }
      default -> throw new IllegalArgumentException("unknown drift test '" + test + "'");
    }
    double psi = psi(reference, current);
    double psiBound =
        reference.numeric()
            ? DriftStatistics.psiErrorBound(
                reference.sketch(), current.sketch(), rankError(reference), rankError(current))
            : 0;
    boolean drifted = isHypothesisTest(test) ? pValue < threshold : statistic >= threshold;
    out.setStatistic(statistic)
        .setPValue(pValue)
        .setDrifted(drifted)
        .setStatisticErrorBound(bound)
        .setPsi(psi)
        .setPsiErrorBound(psiBound)
        .setPsiBand(psiBand(psi));
    List<String> unseen = unseen(reference, current);
    if (!unseen.isEmpty()) {
      out.setNote(
          unseen.size()
              + " value(s) never seen in the reference: "
              + String.join(", ", unseen.subList(0, Math.min(5, unseen.size())))
              + (unseen.size() > 5 ? ", ..." : ""));
    }
    return out.build();
  }

  /** PSI over the reference's deciles for a numeric feature, over the values for the others. */
  private static double psi(FeatureDistribution reference, FeatureDistribution current) {
    return reference.numeric()
        ? DriftStatistics.psi(reference.sketch(), current.sketch())
        : DriftStatistics.psi(counts(reference), counts(current));
  }

  private static java.util.Map<String, Long> counts(FeatureDistribution d) {
    if (!d.counted() && d.count() > 0) {
      throw new IllegalArgumentException(
          "feature '"
              + d.name()
              + "' has too many distinct values to be tested by counts; use ks, wasserstein or psi");
    }
    return d.counts();
  }

  /** The sketch's normalized rank error: 0 while it holds every value. */
  static double rankError(FeatureDistribution d) {
    return d.sketch().isEstimationMode() ? d.sketch().getNormalizedRankError(false) : 0;
  }

  private static double range(FeatureDistribution a, FeatureDistribution b) {
    double min = Math.min(a.sketch().getMinItem(), b.sketch().getMinItem());
    double max = Math.max(a.sketch().getMaxItem(), b.sketch().getMaxItem());
    return max - min;
  }

  private static double distinctOfBoth(FeatureDistribution a, FeatureDistribution b) {
    if (a.counted() && b.counted()) {
      Set<String> union = new HashSet<>(a.counts().keySet());
      union.addAll(b.counts().keySet());
      return union.size();
    }
    // Not counted: more values than a profile counts one by one, so many in any case.
    return Math.max(
        a.counted() ? a.counts().size() : Double.POSITIVE_INFINITY,
        b.counted() ? b.counts().size() : Double.POSITIVE_INFINITY);
  }

  private static List<String> unseen(FeatureDistribution reference, FeatureDistribution current) {
    List<String> unseen = new ArrayList<>();
    if (reference.numeric() || reference.counts().containsKey(DatasetProfiler.OTHER)) {
      return unseen;
    }
    // the most frequent first: those are the ones that matter
    current.counts().entrySet().stream()
        .filter(e -> !reference.counts().containsKey(e.getKey()))
        .sorted(
            java.util.Map.Entry.<String, Long>comparingByValue()
                .reversed()
                .thenComparing(java.util.Map.Entry.comparingByKey()))
        .forEach(e -> unseen.add(e.getKey()));
    return unseen;
  }
}
