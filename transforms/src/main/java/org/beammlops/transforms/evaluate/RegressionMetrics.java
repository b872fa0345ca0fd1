package org.beammlops.transforms.evaluate;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Metrics of a regressor's predictions against targets: RMSE, MAE and R² (one minus the squared
 * error over the targets' sum of squared deviations from their mean).
 *
 * <p>R² is NaN when the targets are constant (nothing to explain; callers treat NaN as undefined).
 * With no rows every metric but {@code count} is NaN. Computed by {@link RegressionAccumulator}, so
 * the same numbers come from parts merged in a combiner.
 *
 * @param count rows evaluated
 * @param meanTarget mean of the targets
 * @param rmse root mean squared error
 * @param mae mean absolute error
 * @param r2 coefficient of determination
 */
public record RegressionMetrics(long count, double meanTarget, double rmse, double mae, double r2)
    implements Serializable {

  /** The metrics of {@code predictions} against {@code targets}; fails on different lengths. */
  public static RegressionMetrics of(double[] predictions, double[] targets) {
    if (predictions.length != targets.length) {
      throw new IllegalArgumentException(
          "predictions and targets differ in length: "
              + predictions.length
              + ", "
              + targets.length);
    }
    RegressionAccumulator accumulator = new RegressionAccumulator();
    for (int i = 0; i < predictions.length; i++) {
      accumulator.add(predictions[i], targets[i]);
    }
    return accumulator.result();
  }

  /**
   * The metrics by name: {@code rmse, mae, r2, count, mean_target}, in that order; the names the
   * tracking server logs them under.
   */
  public Map<String, Double> asMap() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("rmse", rmse);
    m.put("mae", mae);
    m.put("r2", r2);
    m.put("count", (double) count);
    m.put("mean_target", meanTarget);
    return m;
  }
}
