package org.beammlops.transforms.evaluate;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Metrics by name, each either a finite value or undefined with the reason why (ROC-AUC of a window
 * with one class only, R² of constant targets): what a live window reports, so that JSON never
 * carries NaN and a reader learns why a number is missing.
 */
public final class MetricValues implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final Map<String, Double> values = new LinkedHashMap<>();
  private final Map<String, String> undefined = new LinkedHashMap<>();

  /**
   * Puts {@code value}, or marks the metric undefined with {@code reason} when it is not finite.
   */
  public MetricValues put(String name, double value, String reason) {
    if (Double.isFinite(value)) {
      values.put(name, value);
      undefined.remove(name);
    } else {
      undefined.put(name, reason);
      values.remove(name);
    }
    return this;
  }

  /** Puts a value that is always defined (a count). */
  public MetricValues put(String name, double value) {
    return put(name, value, "not finite");
  }

  /** Marks the metric undefined. */
  public MetricValues undefined(String name, String reason) {
    return put(name, Double.NaN, reason);
  }

  /** Adds every metric of {@code other}. */
  public MetricValues putAll(MetricValues other) {
    other.values.forEach(this::put);
    other.undefined.forEach(this::undefined);
    return this;
  }

  /** The defined metrics, finite, in the order they were put. */
  public Map<String, Double> values() {
    return Collections.unmodifiableMap(values);
  }

  /** The undefined metrics and why. */
  public Map<String, String> undefined() {
    return Collections.unmodifiableMap(undefined);
  }

  @Override
  public String toString() {
    return values + (undefined.isEmpty() ? "" : " undefined " + undefined);
  }
}
