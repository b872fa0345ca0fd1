package org.beammlops.transforms.tracking;

import java.util.Objects;

/**
 * One metric value at a step and a time (epoch milliseconds). NaN and infinities are allowed, as
 * MLflow stores them.
 */
public record MetricPoint(String key, double value, long timestampMillis, long step) {
  public MetricPoint {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("metric key must not be empty");
    }
  }

  /** A value at step 0, now. */
  public static MetricPoint of(String key, double value) {
    return new MetricPoint(key, value, System.currentTimeMillis(), 0);
  }

  /** A value at {@code step}, now. */
  public static MetricPoint of(String key, double value, long step) {
    return new MetricPoint(key, value, System.currentTimeMillis(), step);
  }
}
