package org.beammlops.transforms.drift;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Instant;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.schemas.FeatureDrift;
import org.beammlops.schemas.FeatureProfile;
import org.beammlops.schemas.usecase.DriftSettings;
import org.beammlops.transforms.FlightRecords;
import org.beammlops.transforms.profile.DatasetProfiles;
import org.junit.Test;

/**
 * Every drift statistic computed from sketches is within its stated bound of the same statistic
 * computed exactly from the values, for every numeric feature of the sample (distance and the label
 * delay), January against each later month: about 16,000 values a side, so the sketches are well
 * past the 1,000 values they hold exactly.
 */
public class SketchBoundsTest {
  private static final Instant CREATED = Instant.parse("2026-12-01T00:00:00Z");

  private static double[] values(List<GenericRecord> rows, String field) {
    return rows.stream()
        .map(r -> r.get(field))
        .filter(v -> v != null)
        .mapToDouble(v -> ((Number) v).doubleValue())
        .sorted()
        .toArray();
  }

  private static FeatureDistribution distribution(List<GenericRecord> rows, String feature) {
    DatasetProfile p = DatasetProfiles.of(FlightRecords.FLIGHTS, rows, CREATED);
    FeatureProfile f =
        p.getFeatures().stream().filter(x -> x.getName().equals(feature)).findFirst().orElseThrow();
    return FeatureDistribution.of(f);
  }

  @Test
  public void ksWassersteinAndPsiFromSketchesAreWithinTheirBoundsOfTheExactValues() {
    List<GenericRecord> january = FlightsByMonth.month(1);
    for (String feature : List.of("distance", "delay")) {
      double[] a = values(january, feature);
      FeatureDistribution reference = distribution(january, feature);
      assertTrue(reference.sketch().isEstimationMode());
      for (int month = 2; month <= 6; month++) {
        List<GenericRecord> rows = FlightsByMonth.month(month);
        double[] b = values(rows, feature);
        FeatureDistribution current = distribution(rows, feature);
        String where = feature + ", January against month " + month;

        FeatureDrift ks = test(reference, current, "ks");
        assertEquals(where, ks.getStatistic(), exactKs(a, b), ks.getStatisticErrorBound());
        assertTrue(ks.getStatisticErrorBound() > 0);

        FeatureDrift w = test(reference, current, "wasserstein");
        double exactW = exactWasserstein(a, b) / Math.max(reference.stddev(), 0.001);
        assertEquals(where, w.getStatistic(), exactW, w.getStatisticErrorBound());

        FeatureDrift psi = test(reference, current, "psi");
        double[] edges = DriftStatistics.decileEdges(reference.sketch());
        assertEquals(where, psi.getPsi(), exactPsi(a, b, edges), psi.getPsiErrorBound());
        assertEquals(psi.getPsi(), psi.getStatistic(), 0);
        System.err.printf(
            "%s: ks %.5f (exact %.5f, bound %.4f), wasserstein %.5f (exact %.5f, bound %.4f),"
                + " psi %.6f (exact %.6f, bound %.5f)%n",
            where,
            ks.getStatistic(),
            exactKs(a, b),
            ks.getStatisticErrorBound(),
            w.getStatistic(),
            exactW,
            w.getStatisticErrorBound(),
            psi.getPsi(),
            exactPsi(a, b, edges),
            psi.getPsiErrorBound());
      }
    }
  }

  @Test
  public void theStatisticsAreExactWhileTheSketchesHoldEveryValue() {
    List<GenericRecord> small = FlightsByMonth.month(1).subList(0, 1000);
    List<GenericRecord> other = FlightsByMonth.month(3).subList(0, 800);
    FeatureDistribution reference = distribution(small, "distance");
    FeatureDistribution current = distribution(other, "distance");
    double[] a = values(small, "distance");
    double[] b = values(other, "distance");
    FeatureDrift ks = test(reference, current, "ks");
    assertEquals(0.0, ks.getStatisticErrorBound(), 0);
    assertEquals(exactKs(a, b), ks.getStatistic(), 1e-12);
    FeatureDrift w = test(reference, current, "wasserstein");
    assertEquals(exactWasserstein(a, b) / reference.stddev(), w.getStatistic(), 1e-9);
    double[] edges = DriftStatistics.decileEdges(reference.sketch());
    assertEquals(exactPsi(a, b, edges), test(reference, current, "psi").getPsi(), 1e-12);
  }

  private static FeatureDrift test(
      FeatureDistribution reference, FeatureDistribution current, String test) {
    return FeatureDriftTest.test(
        reference, current, "feature", new DriftSettings.Feature(true, test, null));
  }

  static double exactKs(double[] a, double[] b) {
    return ExactStatistics.ks(a, b);
  }

  static double exactWasserstein(double[] a, double[] b) {
    return ExactStatistics.wasserstein(a, b);
  }

  static double exactPsi(double[] a, double[] b, double[] edges) {
    return ExactStatistics.psi(a, b, edges);
  }
}
