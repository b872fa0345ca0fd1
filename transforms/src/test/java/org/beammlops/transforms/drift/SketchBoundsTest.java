package org.beammlops.transforms.drift;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Instant;
import java.util.Arrays;
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

  /** sup |F_a - F_b| over the values, both sorted. */
  static double exactKs(double[] a, double[] b) {
    double d = 0;
    int i = 0;
    int j = 0;
    while (i < a.length || j < b.length) {
      double x = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
      while (i < a.length && a[i] <= x) {
        i++;
      }
      while (j < b.length && b[j] <= x) {
        j++;
      }
      d = Math.max(d, Math.abs(i / (double) a.length - j / (double) b.length));
    }
    return d;
  }

  /** ∫|F_a - F_b| dx over the values, both sorted. */
  static double exactWasserstein(double[] a, double[] b) {
    double[] xs =
        java.util.stream.DoubleStream.concat(Arrays.stream(a), Arrays.stream(b))
            .sorted()
            .distinct()
            .toArray();
    double sum = 0;
    int i = 0;
    int j = 0;
    for (int k = 0; k + 1 < xs.length; k++) {
      while (i < a.length && a[i] <= xs[k]) {
        i++;
      }
      while (j < b.length && b[j] <= xs[k]) {
        j++;
      }
      sum += Math.abs(i / (double) a.length - j / (double) b.length) * (xs[k + 1] - xs[k]);
    }
    return sum;
  }

  /** PSI of the exact values over the bins (-inf, e0], (e0, e1], ..., (e_last, inf). */
  static double exactPsi(double[] a, double[] b, double[] edges) {
    double[] r = shares(a, edges);
    double[] c = shares(b, edges);
    double psi = 0;
    for (int k = 0; k < r.length; k++) {
      double rk = r[k] <= 0 ? 1e-4 : r[k];
      double ck = c[k] <= 0 ? 1e-4 : c[k];
      psi += (ck - rk) * Math.log(ck / rk);
    }
    return psi;
  }

  private static double[] shares(double[] sorted, double[] edges) {
    double[] shares = new double[edges.length + 1];
    for (double v : sorted) {
      int bin = 0;
      while (bin < edges.length && v > edges[bin]) {
        bin++;
      }
      shares[bin] += 1.0 / sorted.length;
    }
    return shares;
  }
}
