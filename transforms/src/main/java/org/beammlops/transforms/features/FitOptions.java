package org.beammlops.transforms.features;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a {@link FeatureSpec} is fitted: the minimum count a categorical value needs to enter the
 * vocabulary, by default and per feature (e.g. 5 for airports). Immutable.
 */
public final class FitOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int defaultMinCount;
  private final TreeMap<String, Integer> minCounts;

  private FitOptions(int defaultMinCount, TreeMap<String, Integer> minCounts) {
    this.defaultMinCount = defaultMinCount;
    this.minCounts = minCounts;
  }

  /** Every categorical value seen at least once enters the vocabulary. */
  public static FitOptions defaults() {
    return new FitOptions(1, new TreeMap<>());
  }

  /** The minimum count of features without their own. */
  public FitOptions withDefaultMinCount(int minCount) {
    return new FitOptions(check(minCount, "default"), minCounts);
  }

  /** The minimum count of one categorical feature (a schema field or a derived feature). */
  public FitOptions withMinCount(String feature, int minCount) {
    TreeMap<String, Integer> copy = new TreeMap<>(minCounts);
    copy.put(feature, check(minCount, feature));
    return new FitOptions(defaultMinCount, copy);
  }

  public int defaultMinCount() {
    return defaultMinCount;
  }

  /** The minimum count of that feature. */
  public int minCount(String feature) {
    return minCounts.getOrDefault(feature, defaultMinCount);
  }

  /** The per-feature overrides, by feature name. */
  public Map<String, Integer> minCounts() {
    return Map.copyOf(minCounts);
  }

  private static int check(int minCount, String what) {
    if (minCount < 1) {
      throw new IllegalArgumentException(
          "minCount of " + what + " must be at least 1, was " + minCount);
    }
    return minCount;
  }

  @Override
  public String toString() {
    return "FitOptions(minCount=" + defaultMinCount + ", " + minCounts + ")";
  }
}
