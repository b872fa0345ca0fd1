package org.beammlops.transforms.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RegressionMetricsTest {
  private static final double TOL = 1e-12;

  @Test
  void sixRowsComputedByHand() {
    // prediction: 2  4  5  4  5  7
    // target:     1  3  5  5  6  8
    // error:      1  1  0 -1 -1 -1   squared error 5, absolute error 5
    //   RMSE = sqrt(5/6), MAE = 5/6.
    // mean target = 28/6; sum of squared deviations = 160 - 28^2/6 = 88/3;
    //   R^2 = 1 - 5 / (88/3) = 1 - 15/88 = 73/88.
    RegressionMetrics m =
        RegressionMetrics.of(new double[] {2, 4, 5, 4, 5, 7}, new double[] {1, 3, 5, 5, 6, 8});
    assertEquals(6, m.count());
    assertEquals(28.0 / 6, m.meanTarget(), TOL);
    assertEquals(Math.sqrt(5.0 / 6), m.rmse(), TOL);
    assertEquals(5.0 / 6, m.mae(), TOL);
    assertEquals(73.0 / 88, m.r2(), TOL);
  }

  @Test
  void perfectPredictionsAndTheMeanAsPrediction() {
    double[] targets = {3, -1, 4, 1, 5};
    RegressionMetrics perfect = RegressionMetrics.of(targets.clone(), targets);
    assertEquals(0.0, perfect.rmse());
    assertEquals(0.0, perfect.mae());
    assertEquals(1.0, perfect.r2());
    double[] mean = {2.4, 2.4, 2.4, 2.4, 2.4};
    assertEquals(0.0, RegressionMetrics.of(mean, targets).r2(), TOL);
  }

  @Test
  void constantTargetLeavesR2Undefined() {
    RegressionMetrics m = RegressionMetrics.of(new double[] {1, 2, 3}, new double[] {2, 2, 2});
    assertTrue(Double.isNaN(m.r2()));
    assertEquals(Math.sqrt(2.0 / 3), m.rmse(), TOL);
    RegressionMetrics empty = RegressionMetrics.of(new double[0], new double[0]);
    assertEquals(0, empty.count());
    assertTrue(Double.isNaN(empty.rmse()) && Double.isNaN(empty.r2()));
  }

  @Test
  void mergedPartsAgreeWithTheWhole() {
    Random random = new Random(3);
    int n = 1_000;
    double[] predictions = new double[n];
    double[] targets = new double[n];
    RegressionAccumulator[] parts = {
      new RegressionAccumulator(), new RegressionAccumulator(), new RegressionAccumulator()
    };
    for (int i = 0; i < n; i++) {
      targets[i] = 50 + 20 * random.nextGaussian();
      predictions[i] = targets[i] + 10 * random.nextGaussian();
      parts[i % 3].add(predictions[i], targets[i]);
    }
    RegressionMetrics whole = RegressionMetrics.of(predictions, targets);
    RegressionMetrics merged =
        parts[0].merge(new RegressionAccumulator()).merge(parts[1]).merge(parts[2]).result();
    assertEquals(n, merged.count());
    assertEquals(whole.r2(), merged.r2(), TOL);
    assertEquals(whole.rmse(), merged.rmse(), TOL);
    assertEquals(whole.mae(), merged.mae(), TOL);
    assertEquals(whole.meanTarget(), merged.meanTarget(), TOL);
    assertEquals(twoPassR2(predictions, targets), whole.r2(), TOL);
  }

  @Test
  void staysAccurateFarFromZero() {
    // Targets around 1e9 with unit spread: sum(y^2) - n * mean^2 would lose every digit.
    Random random = new Random(4);
    int n = 1_000;
    double[] predictions = new double[n];
    double[] targets = new double[n];
    RegressionAccumulator first = new RegressionAccumulator();
    RegressionAccumulator second = new RegressionAccumulator();
    for (int i = 0; i < n; i++) {
      targets[i] = 1e9 + random.nextGaussian();
      predictions[i] = targets[i] + 0.5 * random.nextGaussian();
      (i < 400 ? first : second).add(predictions[i], targets[i]);
    }
    double r2 = twoPassR2(predictions, targets);
    // The running mean is only held to 1.2e-7 (one ulp at 1e9), hence 1e-7, not 1e-12.
    assertEquals(r2, RegressionMetrics.of(predictions, targets).r2(), 1e-7);
    assertEquals(r2, first.merge(second).result().r2(), 1e-7);
  }

  /** R² the textbook way: the mean first, then the squared deviations from it. */
  private static double twoPassR2(double[] predictions, double[] targets) {
    double mean = 0;
    for (double t : targets) {
      mean += t;
    }
    mean /= targets.length;
    double deviations = 0;
    double squaredError = 0;
    for (int i = 0; i < targets.length; i++) {
      deviations += (targets[i] - mean) * (targets[i] - mean);
      squaredError += (predictions[i] - targets[i]) * (predictions[i] - targets[i]);
    }
    return 1 - squaredError / deviations;
  }

  @Test
  void badInput() {
    assertThrows(
        IllegalArgumentException.class,
        () -> RegressionMetrics.of(new double[] {1}, new double[] {1, 2}));
    assertThrows(
        IllegalArgumentException.class,
        () -> RegressionMetrics.of(new double[] {Double.NaN}, new double[] {1}));
  }

  @Test
  void metricNames() {
    assertEquals(
        List.of("rmse", "mae", "r2", "count", "mean_target"),
        List.copyOf(
            RegressionMetrics.of(new double[] {1, 2}, new double[] {1, 3}).asMap().keySet()));
  }
}
