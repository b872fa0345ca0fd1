package org.beammlops.transforms.drift;

import static org.apache.datasketches.quantilescommon.QuantileSearchCriteria.INCLUSIVE;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.DoublesSortedView;

/**
 * The statistics of the drift tests, computed from what a profile keeps: KLL sketches for numeric
 * features (exact while a sketch holds every value, i.e. up to {@code DatasetProfiler.SKETCH_K}
 * values) and exact counts per category. Each one follows the definition scipy gives it, which is
 * what Evidently calls; where this code departs from Evidently's use of it, the method says so.
 */
public final class DriftStatistics {
  /** Above this sample size the KS p-value is asymptotic, as scipy's {@code ks_2samp} "auto". */
  static final int KS_EXACT_MAX_N = 10_000;

  /** What an empty bin's share becomes in Jensen-Shannon and PSI, as Evidently fills zeros. */
  static final double EMPTY_SHARE = 1e-4;

  /** Categories whose expected count is below this are pooled before the chi-squared test. */
  static final double MIN_EXPECTED = 5;

  private DriftStatistics() {}

  /** A statistic and, for a hypothesis test, its p-value (null for a distance). */
  public record Result(double statistic, Double pValue) {}

  // ------------------------------------------------------------------------------------ numeric

  /**
   * The two-sample Kolmogorov-Smirnov statistic D = sup |F_a - F_b|, evaluated at every value the
   * sketches retain (where a step CDF can change). Exact when both sketches are exact; otherwise
   * within the sum of their normalized rank errors.
   */
  public static double ksStatistic(KllDoublesSketch a, KllDoublesSketch b) {
    double d = 0;
    for (double x : union(a, b)) {
      d = Math.max(d, Math.abs(a.getRank(x, INCLUSIVE) - b.getRank(x, INCLUSIVE)));
    }
    return d;
  }

  /** The two-sample KS test, two-sided: D and P(D ≥ d) under the null, as scipy's "auto" mode. */
  public static Result ks(KllDoublesSketch a, KllDoublesSketch b) {
    double d = ksStatistic(a, b);
    return new Result(d, ksPValue(d, (int) a.getN(), (int) b.getN()));
  }

  /**
   * P(D ≥ d) for samples of sizes n and m: exact (the lattice-path count, in O(n·m)) when both are
   * at most {@value #KS_EXACT_MAX_N}, else from the one-sample distribution at n·m/(n+m), as scipy
   * does.
   */
  public static double ksPValue(double d, int n, int m) {
    if (d <= 0) {
      return 1.0;
    }
    if (Math.max(n, m) > KS_EXACT_MAX_N) {
      int en = (int) Math.max(1, Math.round((double) n * m / (n + m)));
      KolmogorovSmirnovTest ks = new KolmogorovSmirnovTest();
      // Pelz-Good's expansion beyond 140 (Simard and L'Ecuyer's advice), the exact sum below.
      return clamp(1 - (en > 140 ? ks.pelzGood(d, en) : ks.cdf(d, en)));
    }
    // A path from (0,0) to (n,m) takes n steps in i and m in j, all orders equally likely; it is
    // "inside" while |i/n - j/m| < d at every point, that is |i·m - j·n| < h in integers.
    long h = Math.round(d * n * m);
    double[] row = new double[m + 1];
    row[0] = 1;
    for (int j = 1; j <= m; j++) {
      row[j] = inside(0, j, n, m, h) ? row[j - 1] * step(m - (j - 1), n) : 0;
    }
    for (int i = 1; i <= n; i++) {
      double left = 0;
      for (int j = 0; j <= m; j++) {
        double p = 0;
        if (inside(i, j, n, m, h)) {
          int remainingI = n - (i - 1);
          int remainingJ = m - j;
          p = row[j] * remainingI / (double) (remainingI + remainingJ);
          if (j > 0) {
            int ri = n - i;
            int rj = m - (j - 1);
            p += left * rj / (double) (ri + rj);
          }
        }
        row[j] = p;
        left = p;
      }
    }
    return clamp(1 - row[m]);
  }

  private static double step(int remainingJ, int n) {
    return remainingJ / (double) (remainingJ + n);
  }

  private static boolean inside(int i, int j, int n, int m, long h) {
    return Math.abs((long) i * m - (long) j * n) < h;
  }

  /**
   * The 1-Wasserstein distance ∫|F_a - F_b| dx between the sketches' step CDFs. Exact when both
   * sketches are exact; otherwise within (ε_a + ε_b) × (max - min), the rank errors times the
   * range.
   */
  public static double wasserstein(KllDoublesSketch a, KllDoublesSketch b) {
    double[] xs = union(a, b);
    double sum = 0;
    for (int k = 0; k + 1 < xs.length; k++) {
      double gap = xs[k + 1] - xs[k];
      sum += Math.abs(a.getRank(xs[k], INCLUSIVE) - b.getRank(xs[k], INCLUSIVE)) * gap;
    }
    return sum;
  }

  /** Evidently's normed Wasserstein: the distance over the reference's standard deviation. */
  public static double wassersteinNormed(
      KllDoublesSketch reference, KllDoublesSketch current, double referenceStddev) {
    return wasserstein(reference, current) / Math.max(referenceStddev, 0.001);
  }

  /**
   * The population stability index over ten equal-mass bins of the reference (its deciles, from the
   * sketch; repeated edges merged): Σ (c - r)·ln(c / r) over the bins' shares, an empty bin's share
   * taken as {@value #EMPTY_SHARE}.
   */
  public static double psi(KllDoublesSketch reference, KllDoublesSketch current) {
    double[] edges = decileEdges(reference);
    double[] r = binShares(reference, edges);
    double[] c = binShares(current, edges);
    return psi(r, c);
  }

  /**
   * A first-order bound on how far {@link #psi(KllDoublesSketch, KllDoublesSketch)} is from the PSI
   * of the exact values over the same bins, when each bin share (a difference of two ranks) is off
   * by at most twice the sketch's rank error: Σ_k |∂PSI/∂c_k|·2ε_c + |∂PSI/∂r_k|·2ε_r, with ∂/∂c =
   * ln(c/r) + 1 - r/c and ∂/∂r = -ln(c/r) + 1 - c/r.
   */
  public static double psiErrorBound(
      KllDoublesSketch reference,
      KllDoublesSketch current,
      double referenceError,
      double currentError) {
    double[] edges = decileEdges(reference);
    double[] r = binShares(reference, edges);
    double[] c = binShares(current, edges);
    double bound = 0;
    for (int k = 0; k < r.length; k++) {
      double rk = Math.max(r[k], EMPTY_SHARE);
      double ck = Math.max(c[k], EMPTY_SHARE);
      double log = Math.log(ck / rk);
      bound += Math.abs(log + 1 - rk / ck) * 2 * currentError;
      bound += Math.abs(-log + 1 - ck / rk) * 2 * referenceError;
    }
    return bound;
  }

  /** The reference's inner decile edges, without repeats. */
  static double[] decileEdges(KllDoublesSketch reference) {
    double[] ranks = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
    return Arrays.stream(reference.getQuantiles(ranks, INCLUSIVE)).distinct().sorted().toArray();
  }

  /** Shares of the bins (-∞, e0], (e0, e1], …, (e_last, ∞). */
  private static double[] binShares(KllDoublesSketch sketch, double[] edges) {
    double[] shares = new double[edges.length + 1];
    double below = 0;
    for (int k = 0; k < edges.length; k++) {
      double rank = sketch.getRank(edges[k], INCLUSIVE);
      shares[k] = rank - below;
      below = rank;
    }
    shares[edges.length] = 1 - below;
    return shares;
  }

  private static double psi(double[] r, double[] c) {
    double sum = 0;
    for (int k = 0; k < r.length; k++) {
      double rk = r[k] <= 0 ? EMPTY_SHARE : r[k];
      double ck = c[k] <= 0 ? EMPTY_SHARE : c[k];
      sum += (ck - rk) * Math.log(ck / rk);
    }
    return sum;
  }

  // -------------------------------------------------------------------------------- categorical

  /**
   * The chi-squared test of homogeneity of the two samples' category counts (scipy's {@code
   * chi2_contingency} on the 2 × k table, without continuity correction), after pooling the
   * categories whose expected count in either sample is below {@value #MIN_EXPECTED} into one.
   *
   * <p>Evidently instead tests the current counts against the reference's shares as if those were
   * exact (a goodness-of-fit test): a category of the current sample that the (small) reference
   * lacks then gets an expected count of 0 and an infinite statistic, so a feature with many rare
   * values, like an airport code, is flagged on nearly every small same-distribution split. The
   * homogeneity test treats both samples as samples, and the pooling keeps the chi-squared
   * approximation valid.
   */
  public static Result chiSquared(Map<String, Long> reference, Map<String, Long> current) {
    List<String> keys = keys(reference, current);
    double n1 = total(reference);
    double n2 = total(current);
    double n = n1 + n2;
    List<double[]> cells = new ArrayList<>();
    double[] pooled = new double[2];
    for (String k : keys) {
      double a = reference.getOrDefault(k, 0L);
      double b = current.getOrDefault(k, 0L);
      double column = a + b;
      if (column * Math.min(n1, n2) / n < MIN_EXPECTED) {
        pooled[0] += a;
        pooled[1] += b;
      } else {
        cells.add(new double[] {a, b});
      }
    }
    if (pooled[0] + pooled[1] > 0) {
      cells.add(pooled);
    }
    if (cells.size() < 2 || n1 == 0 || n2 == 0) {
      return new Result(0, 1.0);
    }
    double stat = 0;
    for (double[] cell : cells) {
      double column = cell[0] + cell[1];
      double e1 = column * n1 / n;
      double e2 = column * n2 / n;
      stat += (cell[0] - e1) * (cell[0] - e1) / e1 + (cell[1] - e2) * (cell[1] - e2) / e2;
    }
    double p = 1 - new ChiSquaredDistribution(null, cells.size() - 1).cumulativeProbability(stat);
    return new Result(stat, clamp(p));
  }

  /**
   * Evidently's Z-test of two proportions for a binary feature: the share of one of its values in
   * each sample, pooled standard error, two-sided p-value. Both samples all of one and the same
   * value: p = 1.
   */
  public static Result zTest(Map<String, Long> reference, Map<String, Long> current) {
    List<String> keys = keys(reference, current);
    double n1 = total(reference);
    double n2 = total(current);
    if (keys.isEmpty() || n1 == 0 || n2 == 0) {
      return new Result(0, 1.0);
    }
    String key = keys.get(0);
    double p1 = reference.getOrDefault(key, 0L) / n1;
    double p2 = current.getOrDefault(key, 0L) / n2;
    double pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
    double se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
    if (se == 0) {
      return new Result(0, 1.0);
    }
    double z = (p1 - p2) / se;
    double p = 2 * (1 - new NormalDistribution(null, 0, 1).cumulativeProbability(Math.abs(z)));
    return new Result(z, clamp(p));
  }

  /**
   * The Jensen-Shannon distance (natural log; the square root of the divergence, as scipy's {@code
   * jensenshannon}) between the category shares, an absent category's share taken as Evidently
   * takes it ({@value #EMPTY_SHARE}, or a millionth of the smallest share when that is smaller).
   */
  public static double jensenShannon(Map<String, Long> reference, Map<String, Long> current) {
    List<String> keys = keys(reference, current);
    double[] p = filledShares(reference, keys);
    double[] q = filledShares(current, keys);
    double sp = Arrays.stream(p).sum();
    double sq = Arrays.stream(q).sum();
    double divergence = 0;
    for (int k = 0; k < keys.size(); k++) {
      double pk = p[k] / sp;
      double qk = q[k] / sq;
      double mk = (pk + qk) / 2;
      divergence += (pk * Math.log(pk / mk) + qk * Math.log(qk / mk)) / 2;
    }
    return Math.sqrt(Math.max(divergence, 0));
  }

  /** PSI over the categories (absent ones filled as in {@link #jensenShannon}). */
  public static double psi(Map<String, Long> reference, Map<String, Long> current) {
    List<String> keys = keys(reference, current);
    double[] r = shares(reference, keys);
    double[] c = shares(current, keys);
    return psi(r, c);
  }

  private static double[] shares(Map<String, Long> counts, List<String> keys) {
    double total = total(counts);
    double[] shares = new double[keys.size()];
    for (int k = 0; k < keys.size(); k++) {
      shares[k] = total == 0 ? 0 : counts.getOrDefault(keys.get(k), 0L) / total;
    }
    return shares;
  }

  private static double[] filledShares(Map<String, Long> counts, List<String> keys) {
    double[] shares = shares(counts, keys);
    double smallest = Arrays.stream(shares).filter(s -> s > 0).min().orElse(1);
    double fill = smallest <= EMPTY_SHARE ? smallest / 1e6 : EMPTY_SHARE;
    for (int k = 0; k < shares.length; k++) {
      if (shares[k] == 0) {
        shares[k] = fill;
      }
    }
    return shares;
  }

  // ------------------------------------------------------------------------------------ helpers

  /** Every value either sketch retains, sorted, without repeats. */
  private static double[] union(KllDoublesSketch a, KllDoublesSketch b) {
    DoublesSortedView va = a.getSortedView();
    DoublesSortedView vb = b.getSortedView();
    double[] xs = new double[va.getQuantiles().length + vb.getQuantiles().length];
    System.arraycopy(va.getQuantiles(), 0, xs, 0, va.getQuantiles().length);
    System.arraycopy(vb.getQuantiles(), 0, xs, va.getQuantiles().length, vb.getQuantiles().length);
    return Arrays.stream(xs).sorted().distinct().toArray();
  }

  /** The categories of both samples: the reference's by descending count, then the new ones. */
  static List<String> keys(Map<String, Long> reference, Map<String, Long> current) {
    Set<String> keys = new LinkedHashSet<>();
    reference.entrySet().stream()
        .sorted(
            Map.Entry.<String, Long>comparingByValue()
                .reversed()
                .thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> keys.add(e.getKey()));
    current.keySet().stream().sorted().forEach(keys::add);
    return new ArrayList<>(keys);
  }

  private static double total(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  private static double clamp(double p) {
    return Math.max(0, Math.min(1, p));
  }
}
