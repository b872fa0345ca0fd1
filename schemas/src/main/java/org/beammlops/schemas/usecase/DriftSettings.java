package org.beammlops.schemas.usecase;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * How a use case's data is tested for drift ({@code drift:} in its config): the share of drifted
 * features at which the whole dataset counts as drifted, and per-feature settings that turn a
 * feature's test off or choose its test and threshold. A feature without settings gets the default
 * test for its kind and size (see {@code docs/drift.md}).
 *
 * @param datasetShare dataset drift when the share of drifted features reaches this (0 to 1)
 * @param features settings by profiled feature name
 */
public record DriftSettings(double datasetShare, Map<String, Feature> features)
    implements Serializable {

  /** The default share, Evidently's. */
  public static final double DEFAULT_DATASET_SHARE = 0.5;

  /** The tests a feature can be given, by their config names. */
  public static final List<String> TESTS =
      List.of("ks", "chi_squared", "z", "wasserstein", "jensen_shannon", "psi");

  /** The tests that need a numeric feature's distribution; the others need counts per value. */
  public static final List<String> NUMERIC_TESTS = List.of("ks", "wasserstein", "psi");

  /** The tests that need counts per value. */
  public static final List<String> CATEGORICAL_TESTS =
      List.of("chi_squared", "z", "jensen_shannon", "psi");

  /** No per-feature settings, the default share. */
  public static DriftSettings defaults() {
    return new DriftSettings(DEFAULT_DATASET_SHARE, Map.of());
  }

  /**
   * One feature's settings.
   *
   * @param tested false to leave the feature out of the tests and of the share
   * @param test the test's config name, or null for the default
   * @param threshold the threshold, or null for the test's default
   */
  public record Feature(boolean tested, String test, Double threshold) implements Serializable {}

  /** The settings of {@code feature}: the defaults when it has none. */
  public Feature feature(String feature) {
    return features.getOrDefault(feature, new Feature(true, null, null));
  }
}
