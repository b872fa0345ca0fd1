package org.beammlops.transforms.drift;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Map;
import java.util.stream.IntStream;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.beammlops.transforms.profile.DatasetProfiler;
import org.junit.Test;

/**
 * The drift statistics against scipy 1.17.1 on the same numbers. The expected values were printed
 * by {@code scipy.stats.ks_2samp}, {@code wasserstein_distance}, {@code chi2_contingency(...,
 * correction=False)}, {@code scipy.spatial.distance.jensenshannon} and {@code norm.cdf} for the
 * samples built here (the same formulas in Python); scipy is not needed to run the test.
 */
public class DriftStatisticsTest {
  private static double[] values(
      int n, long multiplier, int modulus, double divisor, double shift) {
    return IntStream.range(0, n)
        .mapToDouble(i -> (i * multiplier % modulus) / divisor + shift)
        .toArray();
  }

  private static KllDoublesSketch sketch(double[] values) {
    KllDoublesSketch s = KllDoublesSketch.newHeapInstance(DatasetProfiler.SKETCH_K);
    for (double v : values) {
      s.update(v);
    }
    return s;
  }

  @Test
  public void ksIsScipysExactTestWhileTheSketchesHoldEveryValue() {
    KllDoublesSketch a = sketch(values(300, 7919, 1000, 10.0, 0));
    KllDoublesSketch b = sketch(values(200, 104729, 1000, 10.0, 12));
    DriftStatistics.Result r = DriftStatistics.ks(a, b);
    assertEquals(0.12666666666666668, r.statistic(), 1e-12);
    assertEquals(0.03996613576617748, r.pValue(), 1e-9);

    KllDoublesSketch c = sketch(values(800, 7919, 1000, 10.0, 0));
    KllDoublesSketch d = sketch(values(900, 104729, 1000, 10.0, 5));
    r = DriftStatistics.ks(c, d);
    assertEquals(0.05444444444444444, r.statistic(), 1e-12);
    assertEquals(0.1556356238357959, r.pValue(), 1e-9);
    assertEquals(1.0, DriftStatistics.ks(c, c).pValue(), 0);
  }

  @Test
  public void ksBeyondTenThousandValuesIsScipysAsymptoticPValue() {
    assertEquals(
        0.016253425930540445, DriftStatistics.ksPValue(0.020446969696969686, 12_000, 11_000), 1e-6);
  }

  @Test
  public void wassersteinIsScipysWhileTheSketchesHoldEveryValue() {
    assertEquals(
        11.5,
        DriftStatistics.wasserstein(
            sketch(values(300, 7919, 1000, 10.0, 0)), sketch(values(200, 104729, 1000, 10.0, 12))),
        1e-9);
    assertEquals(
        5.069444444444444,
        DriftStatistics.wasserstein(
            sketch(values(800, 7919, 1000, 10.0, 0)), sketch(values(900, 104729, 1000, 10.0, 5))),
        1e-9);
  }

  @Test
  public void chiSquaredIsTheHomogeneityTestOfTheTwoSamples() {
    // every expected count at least 5: nothing pooled, scipy's chi2_contingency of the 2 x 4 table
    Map<String, Long> reference = Map.of("A", 120L, "B", 80L, "C", 40L, "D", 10L);
    Map<String, Long> current = Map.of("A", 100L, "B", 95L, "C", 30L, "D", 25L);
    DriftStatistics.Result r = DriftStatistics.chiSquared(reference, current);
    assertEquals(10.961038961038962, r.statistic(), 1e-9);
    assertEquals(0.011938428994265704, r.pValue(), 1e-9);
  }

  @Test
  public void chiSquaredPoolsRareCategoriesInsteadOfFlaggingThem() {
    // A category only the current sample has, seen twice: a goodness-of-fit test against the
    // reference's shares would give it an expected count of 0 and call it drift; here it is
    // pooled with the other rare one, and the samples are alike.
    Map<String, Long> reference = Map.of("A", 300L, "B", 200L, "R", 1L);
    Map<String, Long> current = Map.of("A", 290L, "B", 210L, "NEW", 2L);
    DriftStatistics.Result r = DriftStatistics.chiSquared(reference, current);
    assertTrue("p = " + r.pValue(), r.pValue() > 0.5);
    // one category on both sides: nothing to test
    assertEquals(1.0, DriftStatistics.chiSquared(Map.of("A", 5L), Map.of("A", 9L)).pValue(), 0);
  }

  @Test
  public void zTestIsTheTwoSidedTestOfTwoProportions() {
    DriftStatistics.Result r =
        DriftStatistics.zTest(Map.of("yes", 120L, "no", 180L), Map.of("yes", 80L, "no", 170L));
    assertEquals(1.9420166249104494, Math.abs(r.statistic()), 1e-9);
    assertEquals(0.05213508772471642, r.pValue(), 1e-9);
    assertEquals(1.0, DriftStatistics.zTest(Map.of("yes", 10L), Map.of("yes", 4L)).pValue(), 0);
  }

  @Test
  public void jensenShannonAndPsiFillAnAbsentCategoryAsEvidentlyDoes() {
    Map<String, Long> reference = Map.of("A", 120L, "B", 80L, "C", 40L, "D", 10L);
    Map<String, Long> current = Map.of("A", 100L, "B", 95L, "C", 30L, "E", 25L);
    assertEquals(0.22886849774273546, DriftStatistics.jensenShannon(reference, current), 1e-9);
    assertEquals(0.9655482106571112, DriftStatistics.psi(reference, current), 1e-9);
    assertEquals(0.0, DriftStatistics.jensenShannon(reference, reference), 1e-12);
  }

  @Test
  public void psiOfANumericFeatureUsesTheReferenceDeciles() {
    KllDoublesSketch reference = sketch(values(1000, 7919, 1000, 10.0, 0)); // 0.0 .. 99.9
    assertEquals(0.0, DriftStatistics.psi(reference, reference), 1e-12);
    // the current sample all in the reference's lowest decile: 1.0 there, 1e-4 in the other nine
    KllDoublesSketch current = sketch(values(500, 7919, 100, 10.0, 0)); // 0.0 .. 9.9
    double expected = (1.0 - 0.1) * Math.log(1.0 / 0.1) + 9 * (1e-4 - 0.1) * Math.log(1e-4 / 0.1);
    assertEquals(expected, DriftStatistics.psi(reference, current), 1e-9);
  }
}
