package org.beammlops.transforms.evaluate;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Map;
import java.util.Random;
import org.junit.Test;

/**
 * CBPE: on a calibrated model the expected accuracy and ROC AUC of a window lie within the realized
 * ones' sampling error (4 standard deviations, computed per window: the realized values are random
 * given the probabilities, the expected ones are not); on a miscalibrated one they do not, which is
 * why the realized metrics are drawn beside them.
 */
public class ExpectedPerformanceTest {
  private static final double THRESHOLD = 0.3;
  private static final int WINDOWS = 20;
  private static final int ROWS = 2_000;

  /** Scores of a model of a ~20% class: logistic of a normal. */
  private static double[] scores(Random random) {
    double[] p = new double[ROWS];
    for (int i = 0; i < ROWS; i++) {
      p[i] = 1 / (1 + Math.exp(-(-1.6 + 1.3 * random.nextGaussian())));
    }
    return p;
  }

  /** Labels drawn from the true probabilities. */
  private static double[] labels(double[] truth, Random random) {
    double[] y = new double[truth.length];
    for (int i = 0; i < truth.length; i++) {
      y[i] = random.nextDouble() < truth[i] ? 1 : 0;
    }
    return y;
  }

  private static ExpectedPerformance estimate(double[] served) {
    ExpectedPerformance e = new ExpectedPerformance();
    for (double p : served) {
      e.add(p, p > THRESHOLD);
    }
    return e;
  }

  /** 4 sd of realized accuracy: each row is right with probability q, independently. */
  private static double accuracyTolerance(double[] truth) {
    double variance = 0;
    for (double p : truth) {
      double q = p > THRESHOLD ? p : 1 - p;
      variance += q * (1 - q);
    }
    return 4 * Math.sqrt(variance) / truth.length;
  }

  /** 4 sd of realized AUC by Hanley and McNeil (1982). */
  private static double aucTolerance(double auc, double[] labels) {
    double positives = 0;
    for (double y : labels) {
      positives += y;
    }
    double negatives = labels.length - positives;
    double q1 = auc / (2 - auc);
    double q2 = 2 * auc * auc / (1 + auc);
    double variance =
        (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc))
            / (positives * negatives);
    return 4 * Math.sqrt(variance);
  }

  @Test
  public void onACalibratedModelEachWindowsEstimateIsWithinTheRealizedSamplingError() {
    Random random = new Random(7);
    for (int w = 0; w < WINDOWS; w++) {
      double[] p = scores(random);
      double[] y = labels(p, random);
      ExpectedPerformance expected = estimate(p);
      Map<String, Double> realized = ClassificationMetrics.of(p, y, THRESHOLD).asMap();
      double accuracy = realized.get("accuracy");
      double auc = realized.get("roc_auc");
      assertEquals("window " + w, accuracy, expected.accuracy(), accuracyTolerance(p));
      assertEquals("window " + w, auc, expected.rocAuc(), aucTolerance(auc, y));
      assertTrue(expected.rocAucErrorBound() < 1e-3);
    }
  }

  @Test
  public void onAMiscalibratedModelTheEstimateMisses() {
    Random random = new Random(11);
    int missed = 0;
    for (int w = 0; w < WINDOWS; w++) {
      double[] truth = scores(random);
      double[] y = labels(truth, random);
      double[] served = new double[truth.length];
      for (int i = 0; i < truth.length; i++) {
        served[i] = 0.5 + 0.3 * (truth[i] - 0.5); // squashed towards 0.5: overconfident in 0.5
      }
      double accuracy = ClassificationMetrics.of(served, y, THRESHOLD).asMap().get("accuracy");
      if (Math.abs(estimate(served).accuracy() - accuracy) > accuracyTolerance(served)) {
        missed++;
      }
    }
    assertEquals(WINDOWS, missed);
  }

  @Test
  public void theExpectedConfusionMatrixOfTwoRows() {
    ExpectedPerformance e = new ExpectedPerformance().add(0.9, true).add(0.2, false);
    assertEquals(0.85, e.accuracy(), 1e-12); // (0.9 + 0.8) / 2
    assertEquals(0.9, e.precision(), 1e-12); // 0.9 / (0.9 + 0.1)
    assertEquals(0.9 / 1.1, e.recall(), 1e-12); // 0.9 / (0.9 + 0.2)
    // pairs: 0.9·0.8 right, 0.9·0.1 and 0.2·0.8 ties (half), 0.2·0.1 wrong; of 1.1·0.9
    assertEquals((0.72 + 0.5 * (0.09 + 0.16)) / 0.99, e.rocAuc(), 1e-12);
    assertEquals(1.1, e.expectedPositives(), 1e-12);
  }

  @Test
  public void mergingInAnyOrderGivesTheSameEstimate() {
    double[] p = scores(new Random(3));
    ExpectedPerformance whole = estimate(p);
    ExpectedPerformance a = new ExpectedPerformance();
    ExpectedPerformance b = new ExpectedPerformance();
    for (int i = 0; i < p.length; i++) {
      (i % 3 == 0 ? a : b).add(p[i], p[i] > THRESHOLD);
    }
    ExpectedPerformance merged = b.merge(a);
    assertEquals(whole.rows(), merged.rows());
    assertEquals(whole.accuracy(), merged.accuracy(), 1e-12);
    assertEquals(whole.rocAuc(), merged.rocAuc(), 1e-12);
    // as a runner stores it between bundles: its bins written as primitives
    ExpectedPerformance copy = org.apache.beam.sdk.util.SerializableUtils.clone(merged);
    assertEquals(merged.result().values(), copy.result().values());
  }

  @Test
  public void badInput() {
    ExpectedPerformance e = new ExpectedPerformance();
    assertTrue(Double.isNaN(e.accuracy()));
    assertTrue(Double.isNaN(e.rocAuc()));
    assertTrue(e.result().values().keySet().stream().allMatch(k -> k.equals("count")));
    assertThrows(IllegalArgumentException.class, () -> e.add(Double.NaN, false));
    assertThrows(IllegalArgumentException.class, () -> e.add(1.5, true));
    assertEquals(0, e.rows());
  }
}
