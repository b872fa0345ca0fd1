package org.beammlops.transforms.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MultiClassMetricsTest {
  private static final double[][] P = {
    {0.7, 0.2, 0.1},
    {0.1, 0.6, 0.3},
    {0.2, 0.3, 0.5},
    {0.5, 0.4, 0.1},
    {0.3, 0.3, 0.4},
    {0.1, 0.1, 0.8}
  };
  private static final double[] Y = {0, 1, 2, 1, 0, 2};

  @Test
  void metricsComputedByHand() {
    MultiClassMetrics m = MultiClassMetrics.of(P, Y);
    assertEquals(6, m.count());
    assertEquals(3, m.classes());
    assertEquals(4.0 / 6, m.accuracy(), 1e-12);
    // F1 per class: 0.5, 2/3, 0.8
    assertEquals((0.5 + 2.0 / 3 + 0.8) / 3, m.macroF1(), 1e-12);
    assertEquals((0.5 * 2 + 2.0 / 3 * 2 + 0.8 * 2) / 6, m.weightedF1(), 1e-12);
    double logLoss =
        -(Math.log(0.7)
                + Math.log(0.6)
                + Math.log(0.5)
                + Math.log(0.4)
                + Math.log(0.3)
                + Math.log(0.8))
            / 6;
    assertEquals(logLoss, m.logLoss(), 1e-12);
    // one-vs-rest AUC per class: 7/8, 1, 1
    assertEquals((0.875 + 1 + 1) / 3, m.rocAucMacro(), 1e-12);
    assertEquals(m.logLoss(), m.asMap().get("log_loss"));
  }

  @Test
  void aClassAbsentFromTheHoldoutIsLeftOutOfTheAucAndScoresNoF1() {
    double[][] p = {{0.6, 0.3, 0.1}, {0.2, 0.2, 0.6}, {0.5, 0.1, 0.4}};
    double[] y = {0, 2, 2};
    MultiClassMetrics m = MultiClassMetrics.of(p, y);
    // class 1 has no row: its F1 is 0 in the macro mean and weighs nothing in the weighted one
    double f0 = 2 * 0.5 * 1 / 1.5;
    double f2 = 2 * 1 * 0.5 / 1.5;
    assertEquals((f0 + 0 + f2) / 3, m.macroF1(), 1e-12);
    assertEquals((f0 * 1 + f2 * 2) / 3, m.weightedF1(), 1e-12);
    assertTrue(Double.isFinite(m.rocAucMacro()));
  }

  @Test
  void aLabelThatIsNoClassIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> MultiClassMetrics.of(new double[][] {{0.5, 0.5}}, new double[] {2}));
    assertThrows(
        IllegalArgumentException.class,
        () -> MultiClassMetrics.of(new double[][] {{0.5, 0.5}}, new double[] {0.5}));
  }

  @Test
  void theClassPriorIsTheBaseline() {
    // predicting the prior for every row: accuracy of the majority class, log loss the entropy
    double[][] prior = new double[4][];
    for (int i = 0; i < 4; i++) {
      prior[i] = new double[] {0.75, 0.25};
    }
    MultiClassMetrics m = MultiClassMetrics.of(prior, new double[] {0, 0, 0, 1});
    assertEquals(0.75, m.accuracy(), 1e-12);
    assertEquals(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)), m.logLoss(), 1e-12);
    assertEquals(0.5, m.rocAucMacro(), 1e-12);
  }
}
