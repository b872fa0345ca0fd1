package org.beammlops.transforms.drift;

import java.util.Arrays;

/**
 * The numeric drift statistics computed exactly from all the values, sorted: the yardstick of the
 * sketch statistics ({@code SketchBoundsTest}) and the single-threaded baseline of {@code ./mlops
 * bench drift}.
 */
public final class ExactStatistics {
  private ExactStatistics() {}

  /** sup |F_a - F_b| over the values, both sorted ascending. */
  public static double ks(double[] a, double[] b) {
    double d = 0;
    int i = 0;
    int j = 0;
    while (i < a.length || j < b.length) {
      double x = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
      while (i < a.length && a[i] <= x) {
        i++;
      }
      while (j < b.length && b[j] <= x) {
        j++;
      }
      d = Math.max(d, Math.abs(i / (double) a.length - j / (double) b.length));
    }
    return d;
  }

  /** ∫|F_a - F_b| dx over the values, both sorted ascending. */
  public static double wasserstein(double[] a, double[] b) {
    double sum = 0;
    int i = 0;
    int j = 0;
    double previous = Double.NaN;
    double fa = 0;
    double fb = 0;
    while (i < a.length || j < b.length) {
      double x = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
      if (!Double.isNaN(previous)) {
        sum += Math.abs(fa - fb) * (x - previous);
      }
      while (i < a.length && a[i] <= x) {
        i++;
      }
      while (j < b.length && b[j] <= x) {
        j++;
      }
      fa = i / (double) a.length;
      fb = j / (double) b.length;
      previous = x;
    }
    return sum;
  }

  /** Population standard deviation. */
  public static double stddev(double[] values) {
    double mean = Arrays.stream(values).average().orElse(0);
    double m2 = 0;
    for (double v : values) {
      m2 += (v - mean) * (v - mean);
    }
    return values.length == 0 ? 0 : Math.sqrt(m2 / values.length);
  }

  /** The exact deciles of the reference, without repeats (nearest rank, as the sketch's). */
  public static double[] decileEdges(double[] sortedReference) {
    return Arrays.stream(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9})
        .map(r -> sortedReference[(int) Math.max(0, Math.ceil(r * sortedReference.length) - 1)])
        .distinct()
        .sorted()
        .toArray();
  }

  /** PSI of the values over the bins (-inf, e0], (e0, e1], ..., (e_last, inf). */
  public static double psi(double[] a, double[] b, double[] edges) {
    double[] r = shares(a, edges);
    double[] c = shares(b, edges);
    double psi = 0;
    for (int k = 0; k < r.length; k++) {
      double rk = r[k] <= 0 ? DriftStatistics.EMPTY_SHARE : r[k];
      double ck = c[k] <= 0 ? DriftStatistics.EMPTY_SHARE : c[k];
      psi += (ck - rk) * Math.log(ck / rk);
    }
    return psi;
  }

  private static double[] shares(double[] sorted, double[] edges) {
    double[] shares = new double[edges.length + 1];
    int bin = 0;
    for (double v : sorted) {
      while (bin < edges.length && v > edges[bin]) {
        bin++;
      }
      shares[bin] += 1.0 / sorted.length;
    }
    return shares;
  }
}
