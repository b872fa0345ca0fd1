package org.beammlops.transforms.features;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.HashMap;

/**
 * The accumulator of a feature-spec fit: rows, and per feature the missing and present counts;
 * numeric features also an exact sum and sum of squares, categorical ones a count per value.
 *
 * <p>Sums are exact ({@link BigDecimal}; every double is exactly representable), so the fitted spec
 * is the same whatever order the rows arrive in and however a runner splits and merges bundles, and
 * the variance {@code (n*Q - S^2) / n^2} suffers no cancellation.
 */
public final class FeatureStats implements Serializable {
  private static final long serialVersionUID = 1L;

  long rows;
  final long[] count;
  final long[] missing;
  final BigDecimal[] sum;
  final BigDecimal[] sumOfSquares;
  final HashMap<String, Long>[] values;

  @SuppressWarnings("unchecked")
  FeatureStats(boolean[] numeric) {
    int n = numeric.length;
    count = new long[n];
    missing = new long[n];
    sum = new BigDecimal[n];
    sumOfSquares = new BigDecimal[n];
    values = new HashMap[n];
    for (int i = 0; i < n; i++) {
      if (numeric[i]) {
        sum[i] = BigDecimal.ZERO;
        sumOfSquares[i] = BigDecimal.ZERO;
      } else {
        values[i] = new HashMap<>();
      }
    }
  }

  /** Rows added so far. */
  public long rows() {
    return rows;
  }

  void addNumeric(int i, Double x) {
    if (x == null) {
      missing[i]++;
      return;
    }
    count[i]++;
    BigDecimal v = new BigDecimal(x);
    sum[i] = sum[i].add(v);
    sumOfSquares[i] = sumOfSquares[i].add(v.multiply(v));
  }

  void addCategory(int i, String value) {
    if (value == null) {
      missing[i]++;
      return;
    }
    count[i]++;
    values[i].merge(value, 1L, Long::sum);
  }

  /** Adds {@code other}'s counts into this one. */
  void mergeFrom(FeatureStats other) {
    if (other.count.length != count.length) {
      throw new IllegalArgumentException("feature stats of different feature lists");
    }
    rows += other.rows;
    for (int i = 0; i < count.length; i++) {
      count[i] += other.count[i];
      missing[i] += other.missing[i];
      if (sum[i] != null) {
        sum[i] = sum[i].add(other.sum[i]);
        sumOfSquares[i] = sumOfSquares[i].add(other.sumOfSquares[i]);
      } else {
        HashMap<String, Long> mine = values[i];
        other.values[i].forEach((k, v) -> mine.merge(k, v, Long::sum));
      }
    }
  }
}
