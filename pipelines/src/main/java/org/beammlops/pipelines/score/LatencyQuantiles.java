package org.beammlops.pipelines.score;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.datasketches.kll.KllDoublesSketch;

/**
 * Latency percentiles of a prediction log of any size in bounded memory: a KLL sketch
 * (DataSketches) whose rank error, about 0.3% with k = 1000, is reported beside the values, so p99
 * means "between p98.7 and p99.3" at worst. Exact up to about k values.
 */
final class LatencyQuantiles {
  static final int K = 1000;
  private final KllDoublesSketch sketch = KllDoublesSketch.newHeapInstance(K);

  void add(double millis) {
    sketch.update(millis);
  }

  long count() {
    return sketch.getN();
  }

  /** The value at {@code rank} (0..1); fails on an empty sketch. */
  double quantile(double rank) {
    if (sketch.isEmpty()) {
      throw new IllegalStateException("no latencies");
    }
    return sketch.getQuantile(rank);
  }

  /** p50, p90, p99, max (milliseconds, 0.1 ms resolution) and the sketch's rank error. */
  Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("p50", round(quantile(0.5)));
    out.put("p90", round(quantile(0.9)));
    out.put("p99", round(quantile(0.99)));
    out.put("max", round(sketch.getMaxItem()));
    out.put("rankError", Math.round(sketch.getNormalizedRankError(false) * 1e5) / 1e5);
    return out;
  }

  private static double round(double millis) {
    return Math.round(millis * 10) / 10.0;
  }
}
