package org.beammlops.transforms.evaluate;

import java.io.Serializable;

/**
 * Sufficient statistics of {@link RegressionMetrics} in constant memory, mergeable: sums of squared
 * and absolute errors, and the targets' mean and sum of squared deviations kept by Welford's update
 * and Chan's merge, which avoid the cancellation of {@code sum(y^2) - n * mean^2}.
 */
public final class RegressionAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;

  private long count;
  private double squaredError;
  private double absoluteError;
  private double meanTarget;
  private double targetDeviations;

  /** Adds one row; fails on a non-finite prediction or target. */
  public RegressionAccumulator add(double prediction, double target) {
    if (!Double.isFinite(prediction) || !Double.isFinite(target)) {
      throw new IllegalArgumentException(
          "prediction " + prediction + " and target " + target + " must be finite");
    }
    double error = prediction - target;
    squaredError += error * error;
    absoluteError += Math.abs(error);
    count++;
    double delta = target - meanTarget;
    meanTarget += delta / count;
    targetDeviations += delta * (target - meanTarget);
    return this;
  }

  /** Adds {@code other} into this one and returns it; {@code other} is left as it was. */
  public RegressionAccumulator merge(RegressionAccumulator other) {
    if (other.count == 0) {
      return this;
    }
    long n = count + other.count;
    double delta = other.meanTarget - meanTarget;
    targetDeviations += other.targetDeviations + delta * delta * ((double) count * other.count / n);
    meanTarget += delta * other.count / n;
    squaredError += other.squaredError;
    absoluteError += other.absoluteError;
    count = n;
    return this;
  }

  /** The metrics of every row added. */
  public RegressionMetrics result() {
    if (count == 0) {
      return new RegressionMetrics(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double r2 = targetDeviations == 0 ? Double.NaN : 1 - squaredError / targetDeviations;
    return new RegressionMetrics(
        count, meanTarget, Math.sqrt(squaredError / count), absoluteError / count, r2);
  }
}
