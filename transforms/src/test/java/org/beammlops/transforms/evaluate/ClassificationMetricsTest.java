package org.beammlops.transforms.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {
  private static final double TOL = 1e-12;

  @Test
  void sixRowsComputedByHand() {
    // p:     0.9  0.8  0.6  0.4  0.3  0.1
    // label: 1    1    0    1    0    0
    // Predicted positive (p > 0.5): the first three. TP = 2, FP = 1, FN = 1, TN = 2.
    //   accuracy = 4/6, precision = 2/3, recall = 2/3, F1 = 2/3.
    // AUC: positives {0.9, 0.8, 0.4} against negatives {0.6, 0.3, 0.1}: 0.9 and 0.8 beat all
    //   three, 0.4 beats two: 8 of 9 pairs.
    // Brier: (0.1^2 + 0.2^2 + 0.6^2 + 0.6^2 + 0.3^2 + 0.1^2) / 6 = 0.87 / 6 = 0.145.
    // Log loss: -(ln 0.9 + ln 0.8 + ln 0.4 + ln 0.4 + ln 0.7 + ln 0.9) / 6 = 0.4371868...
    ClassificationMetrics m =
        ClassificationMetrics.of(
            new double[] {0.9, 0.8, 0.6, 0.4, 0.3, 0.1}, new double[] {1, 1, 0, 1, 0, 0});
    assertEquals(6, m.count());
    assertEquals(0.5, m.positiveRate(), TOL);
    assertEquals(8.0 / 9, m.rocAuc(), TOL);
    assertEquals(4.0 / 6, m.accuracy(), TOL);
    assertEquals(2.0 / 3, m.precision(), TOL);
    assertEquals(2.0 / 3, m.recall(), TOL);
    assertEquals(2.0 / 3, m.f1(), TOL);
    assertEquals(0.145, m.brier(), TOL);
    double logLoss =
        -(Math.log(0.9) + Math.log(0.8) + 2 * Math.log(0.4) + Math.log(0.7) + Math.log(0.9)) / 6;
    assertEquals(logLoss, m.logLoss(), TOL);
    assertEquals(0.4371868, m.logLoss(), 1e-7);
  }

  @Test
  void tiedScoresCountOneHalf() {
    // Positives {0.6, 0.9}, negatives {0.2, 0.6}: 0.6 > 0.2, 0.6 = 0.6 (one half), 0.9 beats
    // both: 3.5 of 4 pairs.
    assertEquals(
        0.875,
        ClassificationMetrics.of(new double[] {0.2, 0.6, 0.6, 0.9}, new double[] {0, 1, 0, 1})
            .rocAuc(),
        TOL);
    assertEquals(
        0.5,
        ClassificationMetrics.of(new double[] {0.3, 0.3, 0.3, 0.3}, new double[] {1, 0, 0, 1})
            .rocAuc(),
        TOL);
  }

  @Test
  void perfectAndInvertedClassifiers() {
    double[] labels = {0, 0, 1, 1, 1};
    ClassificationMetrics perfect =
        ClassificationMetrics.of(new double[] {0.1, 0.2, 0.7, 0.8, 0.99}, labels);
    assertEquals(1.0, perfect.rocAuc());
    assertEquals(1.0, perfect.accuracy());
    assertEquals(1.0, perfect.precision());
    assertEquals(1.0, perfect.recall());
    assertEquals(1.0, perfect.f1());

    ClassificationMetrics inverted =
        ClassificationMetrics.of(new double[] {0.9, 0.8, 0.3, 0.2, 0.01}, labels);
    assertEquals(0.0, inverted.rocAuc());
    assertEquals(0.0, inverted.accuracy());
    assertEquals(0.0, inverted.precision());
    assertEquals(0.0, inverted.recall());
    assertEquals(0.0, inverted.f1());
  }

  @Test
  void undefinedCases() {
    // One class only: AUC undefined.
    ClassificationMetrics positivesOnly =
        ClassificationMetrics.of(new double[] {0.7, 0.2}, new double[] {1, 1});
    assertTrue(Double.isNaN(positivesOnly.rocAuc()));
    assertEquals(0.5, positivesOnly.accuracy(), TOL);
    // Nothing predicted positive (0.5 is not above the threshold): precision (and so F1) 0.
    ClassificationMetrics nonePredicted =
        ClassificationMetrics.of(new double[] {0.5, 0.1, 0.2}, new double[] {1, 0, 0});
    assertEquals(0.0, nonePredicted.precision());
    assertEquals(0.0, nonePredicted.recall());
    assertEquals(0.0, nonePredicted.f1());
    assertEquals(1.0, nonePredicted.rocAuc()); // the ranking is still perfect
    // Certain and wrong: the log loss is clipped, finite.
    ClassificationMetrics wrong = ClassificationMetrics.of(new double[] {0.0}, new double[] {1});
    assertEquals(-Math.log(1e-15), wrong.logLoss(), 1e-9);
    // No rows.
    ClassificationMetrics empty = ClassificationMetrics.of(new double[0], new double[0]);
    assertEquals(0, empty.count());
    assertTrue(Double.isNaN(empty.accuracy()) && Double.isNaN(empty.rocAuc()));
  }

  @Test
  void integerWeightsEqualRepeatedRows() {
    double[] p = {0.9, 0.8, 0.6, 0.4, 0.3, 0.1};
    double[] y = {1, 1, 0, 1, 0, 0};
    double[] w = {1, 3, 2, 1, 4, 1};
    ClassificationAccumulator repeated = new ClassificationAccumulator();
    for (int i = 0; i < p.length; i++) {
      for (int k = 0; k < w[i]; k++) {
        repeated.add(p[i], y[i]);
      }
    }
    ClassificationMetrics weighted = ClassificationMetrics.of(p, y, w);
    ClassificationMetrics expected = repeated.result();
    assertEquals(6, weighted.count());
    assertEquals(12, expected.count());
    List<String> keys = List.copyOf(expected.asMap().keySet());
    for (String key : keys) {
      if (!key.equals("count")) {
        assertEquals(expected.asMap().get(key), weighted.asMap().get(key), TOL, key);
      }
    }
  }

  @Test
  void aucAgreesWithPairwiseCountingOnRandomRows() {
    Random random = new Random(17);
    int n = 500;
    double[] p = new double[n];
    double[] y = new double[n];
    double[] w = new double[n];
    double[] ones = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = random.nextDouble() < 0.3 ? 1 : 0;
      // Rounded to hundredths, so there are many ties; informative but noisy.
      p[i] =
          Math.round(
                  100 * Math.min(1, Math.max(0, 0.35 + 0.2 * y[i] + 0.2 * random.nextGaussian())))
              / 100.0;
      w[i] = random.nextInt(4) == 0 ? 0.0 : 0.5 + random.nextDouble();
      ones[i] = 1;
    }
    assertEquals(pairwiseAuc(p, y, ones), ClassificationMetrics.of(p, y).rocAuc(), TOL);
    assertEquals(pairwiseAuc(p, y, w), ClassificationMetrics.of(p, y, w).rocAuc(), TOL);
  }

  /** The definition, pair by pair: a positive above a negative wins, a tie wins one half. */
  private static double pairwiseAuc(double[] p, double[] y, double[] w) {
    double wins = 0;
    double pairs = 0;
    for (int i = 0; i < p.length; i++) {
      for (int j = 0; j < p.length; j++) {
        if (y[i] == 1 && y[j] == 0) {
          double weight = w[i] * w[j];
          pairs += weight;
          wins += p[i] > p[j] ? weight : p[i] == p[j] ? weight / 2 : 0;
        }
      }
    }
    return wins / pairs;
  }

  @Test
  void mergedAccumulatorsGiveTheMetricsOfAllRows() {
    Random random = new Random(5);
    double[] p = new double[300];
    double[] y = new double[300];
    ClassificationAccumulator first = new ClassificationAccumulator();
    ClassificationAccumulator second = new ClassificationAccumulator();
    for (int i = 0; i < p.length; i++) {
      p[i] = random.nextDouble();
      y[i] = random.nextBoolean() ? 1 : 0;
      (i < 100 ? first : second).add(p[i], y[i]);
    }
    assertEquals(ClassificationMetrics.of(p, y), first.merge(second).result());
    assertEquals(300, first.size());
  }

  @Test
  void badInputIsRejectedWithTheRow() {
    IllegalArgumentException label =
        assertThrows(
            IllegalArgumentException.class,
            () -> ClassificationMetrics.of(new double[] {0.5, 0.5}, new double[] {0, 2}));
    assertEquals("row 1: label 2.0 is not 0 or 1", label.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> ClassificationMetrics.of(new double[] {Double.NaN}, new double[] {0}));
    assertThrows(
        IllegalArgumentException.class,
        () -> ClassificationMetrics.of(new double[] {1.5}, new double[] {0}));
    assertThrows(
        IllegalArgumentException.class,
        () -> ClassificationMetrics.of(new double[] {0.5}, new double[] {0, 1}));
    assertThrows(
        IllegalArgumentException.class,
        () -> ClassificationMetrics.of(new double[] {0.5}, new double[] {0}, new double[] {-1}));
  }

  @Test
  void metricNames() {
    assertEquals(
        List.of(
            "roc_auc",
            "log_loss",
            "accuracy",
            "precision",
            "recall",
            "f1",
            "brier",
            "count",
            "positive_rate"),
        List.copyOf(
            ClassificationMetrics.of(new double[] {0.2, 0.7}, new double[] {0, 1})
                .asMap()
                .keySet()));
  }

  @Test
  void theF1OptimalThresholdSitsBetweenDistinctProbabilities() {
    double[] p = {0.9, 0.8, 0.35, 0.3, 0.2, 0.1};
    double[] y = {1, 0, 1, 1, 0, 0};
    // cutting below 0.3 predicts four positives with three right: F1 = 6/7, the best
    double t = ClassificationMetrics.f1OptimalThreshold(p, y);
    assertEquals(0.25, t, 1e-12);
    ClassificationMetrics at = ClassificationMetrics.of(p, y, t);
    assertEquals(6.0 / 7, at.f1(), 1e-12);
    assertEquals(0.75, at.precision(), 1e-12);
    assertEquals(1.0, at.recall(), 1e-12);
    // at 0.5 only two are predicted positive, one right
    assertEquals(0.4, ClassificationMetrics.of(p, y).f1(), 1e-12);
  }

  @Test
  void aRareClassGetsAThresholdThatFindsIt() {
    // 2% positives whose probabilities are all below 0.5: at 0.5 nothing is predicted positive
    Random random = new Random(7);
    int n = 5_000;
    double[] p = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 50 == 0 ? 1 : 0;
      p[i] = y[i] == 1 ? 0.1 + 0.2 * random.nextDouble() : 0.25 * random.nextDouble();
    }
    assertEquals(0.0, ClassificationMetrics.of(p, y).f1());
    double t = ClassificationMetrics.f1OptimalThreshold(p, y);
    ClassificationMetrics at = ClassificationMetrics.of(p, y, t);
    assertTrue(t < 0.3 && t > 0.05, "threshold " + t);
    assertTrue(at.precision() > 0 && at.recall() > 0 && at.f1() > 0.3, at.toString());
  }

  @Test
  void withoutPositivesTheThresholdStaysAtOneHalf() {
    assertEquals(
        0.5, ClassificationMetrics.f1OptimalThreshold(new double[] {0.2, 0.7}, new double[2]));
  }
}
