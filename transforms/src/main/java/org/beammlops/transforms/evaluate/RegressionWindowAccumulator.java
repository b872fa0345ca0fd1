package org.beammlops.transforms.evaluate;

import java.io.Serializable;

/**
 * The metrics of a regression model over a stream of labelled predictions in constant memory,
 * mergeable: {@link RegressionAccumulator}'s sufficient statistics plus the sum of errors (bias)
 * and of absolute percentage errors over the rows whose target is not 0 (MAPE, where defined).
 */
public final class RegressionWindowAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;

  private final RegressionAccumulator base = new RegressionAccumulator();
  private long rows;
  private double errorSum;
  private double predictionSum;
  private double percentageErrorSum;
  private long percentageRows;

  /** One labelled prediction; fails on a non-finite value. */
  public RegressionWindowAccumulator add(double prediction, double target) {
    base.add(prediction, target);
    rows++;
    errorSum += prediction - target;
    predictionSum += prediction;
    if (target != 0) {
      percentageErrorSum += Math.abs((prediction - target) / target);
      percentageRows++;
    }
    return this;
  }

  /** Adds {@code other} into this one and returns it. */
  public RegressionWindowAccumulator merge(RegressionWindowAccumulator other) {
    base.merge(other.base);
    rows += other.rows;
    errorSum += other.errorSum;
    predictionSum += other.predictionSum;
    percentageErrorSum += other.percentageErrorSum;
    percentageRows += other.percentageRows;
    return this;
  }

  /** Labelled rows added. */
  public long rows() {
    return rows;
  }

  /** {@code mae, rmse, r2, bias, mape, mean_target, mean_prediction}. */
  public MetricValues result() {
    MetricValues m = new MetricValues();
    if (rows == 0) {
      for (String name : new String[] {"mae", "rmse", "r2", "bias", "mape", "mean_target"}) {
        m.undefined(name, BinaryWindowAccumulator.NO_ROWS);
      }
      return m;
    }
    RegressionMetrics r = base.result();
    m.put("mae", r.mae());
    m.put("rmse", r.rmse());
    m.put("r2", r.r2(), "every target in the window is the same value");
    m.put("bias", errorSum / rows);
    m.put(
        "mape",
        percentageRows == 0 ? Double.NaN : percentageErrorSum / percentageRows,
        "every target in the window is 0");
    m.put("mean_target", r.meanTarget());
    m.put("mean_prediction", predictionSum / rows);
    return m;
  }
}
