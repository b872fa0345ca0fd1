package org.beammlops.transforms.profile;

import static org.beammlops.transforms.FlightRecords.FLIGHTS;
import static org.beammlops.transforms.FlightRecords.HEADER;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.schemas.FeatureProfile;
import org.beammlops.schemas.HistogramBin;
import org.beammlops.transforms.FlightRecords;
import org.beammlops.transforms.features.CategoricalFeature;
import org.beammlops.transforms.features.FeatureSpec;
import org.beammlops.transforms.features.FitOptions;
import org.beammlops.transforms.features.NumericFeature;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class ProfileDatasetTest {
  private static final Instant CREATED = Instant.parse("2025-01-02T03:04:05.678Z");

  /** The KLL sketch's normalized rank error (99% confidence) for single quantiles and CDFs. */
  private static final double EPS = 0.0133;

  @Rule public final transient TestPipeline p = TestPipeline.create();

  /** What the ten-thousand-row profile is checked against, computed exactly outside Beam. */
  private record Expected(
      FeatureSpec spec,
      double[] distances,
      double[] delays,
      long rows,
      long delayMissing,
      double delayMean)
      implements Serializable {}

  @Test
  public void profilesTenThousandRows() {
    List<GenericRecord> records = ProfileTestData.flights(10_000, 3, 0.1);
    double[] delays = ProfileTestData.sortedValues(records, "delay");
    Expected expected =
        new Expected(
            FeatureSpec.fit(FLIGHTS, FitOptions.defaults(), records),
            ProfileTestData.sortedValues(records, "distance"),
            delays,
            records.size(),
            records.size() - delays.length,
            Arrays.stream(delays).average().orElseThrow());

    PCollection<DatasetProfile> profile =
        p.apply("Records", Create.of(records).withCoder(FlightRecords.coder()))
            .apply("Profile", ProfileDataset.of(FLIGHTS).withCreatedAt(CREATED));
    PAssert.thatSingleton(profile).satisfies(actual -> check(actual, expected));
    p.run().waitUntilFinish();
  }

  private static Void check(DatasetProfile profile, Expected e) {
    assertEquals("flights", profile.getUseCase());
    assertEquals(CREATED, profile.getCreatedAt());
    assertNull(profile.getWindowStart());
    assertEquals(e.rows(), profile.getRowCount());
    List<String> names = new ArrayList<>();
    profile.getFeatures().forEach(f -> names.add(f.getName()));
    assertEquals(
        List.of(
            "distance", "origin", "destination", "hour_of_day", "day_of_week", "month", "delay"),
        names);

    // Numeric feature: exact moments equal to the feature spec's; sketch parts within the error.
    FeatureProfile distance = feature(profile, "distance");
    NumericFeature spec = (NumericFeature) e.spec().feature("distance");
    assertEquals("numeric", distance.getKind());
    assertEquals(e.rows(), distance.getCount());
    assertEquals(0, distance.getMissing());
    assertEquals(spec.mean(), distance.getMean(), 0.0);
    assertEquals(spec.std(), distance.getStddev(), 0.0);
    checkSketchParts(distance, e.distances());

    // The label, with a tenth missing.
    FeatureProfile delay = feature(profile, "delay");
    assertEquals(e.delayMissing(), delay.getMissing());
    assertEquals(e.rows() - e.delayMissing(), delay.getCount());
    double missingShare = (double) delay.getMissing() / profile.getRowCount();
    assertEquals(0.1, missingShare, 0.01);
    assertEquals(e.delayMean(), delay.getMean(), 1e-9);
    checkSketchParts(delay, e.delays());

    // Categorical and derived features: the spec's own values and counts, exactly.
    for (String name : List.of("origin", "destination", "hour_of_day", "day_of_week", "month")) {
      FeatureProfile f = feature(profile, name);
      CategoricalFeature c = (CategoricalFeature) e.spec().feature(name);
      Map<String, Long> counts = new HashMap<>();
      for (int i = 0; i < c.vocabulary().size(); i++) {
        counts.put(c.vocabulary().get(i), c.counts().get(i));
      }
      assertEquals(name, "categorical", f.getKind());
      assertEquals(name, counts, f.getFrequencies());
      assertEquals(name, c.count(), f.getCount());
      assertTrue(name, f.getQuantiles().isEmpty() && f.getHistogram().isEmpty());
    }
    FeatureProfile hour = feature(profile, "hour_of_day");
    assertEquals(0.0, hour.getMin(), 0.0);
    assertEquals(23.0, hour.getMax(), 0.0);
    assertNull(feature(profile, "origin").getMean());
    assertFalse(DatasetProfiles.toJson(profile).contains("NaN"));
    return null;
  }

  /** Quantiles and histogram of a numeric profile against the exact sorted values. */
  private static void checkSketchParts(FeatureProfile f, double[] sorted) {
    String name = f.getName();
    long n = sorted.length;
    assertEquals(name, sorted[0], f.getMin(), 0.0);
    assertEquals(name, sorted[sorted.length - 1], f.getMax(), 0.0);
    assertEquals(name, DatasetProfiler.QUANTILE_RANKS.size(), f.getQuantiles().size());
    for (double q : DatasetProfiler.QUANTILE_RANKS) {
      double estimate = f.getQuantiles().get(Double.toString(q));
      // A value is a right answer for rank q when q lies within its range of ranks (ties!).
      double low = ProfileTestData.rankBelow(sorted, estimate);
      double high = ProfileTestData.rankAtMost(sorted, estimate);
      assertTrue(
          name + " q" + q + "=" + estimate + " has ranks [" + low + ", " + high + "]",
          q >= low - EPS && q <= high + EPS);
    }
    List<HistogramBin> bins = f.getHistogram();
    assertTrue(name + " has " + bins.size() + " bins", bins.size() >= 10 && bins.size() <= 21);
    assertEquals(name, f.getMin(), bins.get(0).getLower(), 0.0);
    assertEquals(name, f.getMax(), bins.get(bins.size() - 1).getUpper(), 0.0);
    long cumulative = 0;
    for (int i = 0; i < bins.size(); i++) {
      HistogramBin b = bins.get(i);
      if (i > 0) {
        assertEquals(name, bins.get(i - 1).getUpper(), b.getLower(), 0.0);
      }
      assertTrue(name, b.getCount() >= 0 && b.getLower() <= b.getUpper());
      cumulative += b.getCount();
      double exact = ProfileTestData.rankAtMost(sorted, b.getUpper()) * n;
      assertEquals(name + " values <= " + b.getUpper(), exact, cumulative, EPS * n + 1);
    }
    assertEquals(name, n, cumulative);
  }

  private static FeatureProfile feature(DatasetProfile profile, String name) {
    return profile.getFeatures().stream()
        .filter(f -> f.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no feature " + name));
  }

  @Test
  public void sameAsPlainJavaWhileTheSketchesAreExact() {
    List<GenericRecord> records = ProfileTestData.flights(150, 5, 0.2);
    DatasetProfile expected = DatasetProfiles.of(FLIGHTS, records, CREATED);

    PCollection<DatasetProfile> profile =
        p.apply("Records", Create.of(records).withCoder(FlightRecords.coder()))
            .apply("Profile", ProfileDataset.of(FLIGHTS).withCreatedAt(CREATED))
            .apply(
                "WithoutHllBytes",
                MapElements.into(TypeDescriptor.of(DatasetProfile.class))
                    .via(ProfileDatasetTest::withoutHllBytes))
            .setCoder(DatasetProfiles.coder());
    PAssert.thatSingleton(profile).isEqualTo(withoutHllBytes(expected));
    p.run().waitUntilFinish();
  }

  /**
   * The profile without the bytes of its HLL sketches, which are a merge state rather than a
   * statistic: an HLL sketch of a few values is a hash set whose layout, and so whose bytes, depend
   * on the order it was filled in, while its estimate ({@code distinct}, compared) does not.
   */
  static DatasetProfile withoutHllBytes(DatasetProfile profile) {
    DatasetProfile copy = DatasetProfile.newBuilder(profile).build();
    copy.setFeatures(
        copy.getFeatures().stream()
            .map(f -> FeatureProfile.newBuilder(f).setDistinctSketch(null).build())
            .toList());
    return copy;
  }

  @Test
  public void constantFeatureAndEntirelyMissingLabel() {
    List<GenericRecord> records = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String line = String.format("2001-03-%02dT10:00,,500,LAX,SFO", 1 + i % 28);
      records.add(FlightRecords.parse(HEADER, line, "constant.csv", i));
    }

    PCollection<DatasetProfile> profile =
        p.apply("Records", Create.of(records).withCoder(FlightRecords.coder()))
            .apply("Profile", ProfileDataset.of(FLIGHTS).withCreatedAt(CREATED));
    PAssert.thatSingleton(profile)
        .satisfies(
            actual -> {
              FeatureProfile distance = feature(actual, "distance");
              assertEquals(500.0, distance.getMin(), 0.0);
              assertEquals(500.0, distance.getMax(), 0.0);
              assertEquals(500.0, distance.getMean(), 0.0);
              assertEquals(0.0, distance.getStddev(), 0.0);
              distance.getQuantiles().values().forEach(q -> assertEquals(500.0, q, 0.0));
              assertEquals(
                  List.of(
                      HistogramBin.newBuilder().setLower(500).setUpper(500).setCount(300).build()),
                  distance.getHistogram());
              assertEquals(Map.of("10", 300L), feature(actual, "hour_of_day").getFrequencies());
              assertEquals(0.0, feature(actual, "hour_of_day").getStddev(), 0.0);

              FeatureProfile delay = feature(actual, "delay");
              assertEquals(0, delay.getCount());
              assertEquals(300, delay.getMissing());
              assertNull(delay.getMin());
              assertNull(delay.getMax());
              assertNull(delay.getMean());
              assertNull(delay.getStddev());
              assertTrue(delay.getQuantiles().isEmpty());
              assertTrue(delay.getHistogram().isEmpty());
              assertFalse(DatasetProfiles.toJson(actual).contains("NaN"));
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  public void emptyInputGivesAProfileOfNoRows() {
    PCollection<DatasetProfile> profile =
        p.apply("Empty", Create.empty(FlightRecords.coder()))
            .apply("Profile", ProfileDataset.of(FLIGHTS).withCreatedAt(CREATED));
    PAssert.thatSingleton(profile)
        .satisfies(
            actual -> {
              assertEquals(0, actual.getRowCount());
              assertEquals(7, actual.getFeatures().size());
              for (FeatureProfile f : actual.getFeatures()) {
                assertEquals(0, f.getCount() + f.getMissing());
                assertNull(f.getMean());
                assertTrue(f.getQuantiles().isEmpty() && f.getFrequencies().isEmpty());
              }
              return null;
            });
    p.run().waitUntilFinish();
  }
}
