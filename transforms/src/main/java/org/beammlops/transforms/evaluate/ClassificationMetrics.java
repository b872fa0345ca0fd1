package org.beammlops.transforms.evaluate;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Metrics of a binary classifier's probabilities against 0/1 labels, optionally weighted: exact
 * ROC-AUC, log loss, Brier score, and accuracy, precision, recall and F1 at a decision threshold,
 * 0.5 unless given (a row is predicted positive when its probability is strictly above it, as in
 * scikit-learn and Spark).
 *
 * <p>Undefined cases, chosen so callers never divide by zero: {@code rocAuc} is NaN when only one
 * class is present (callers treat NaN as undefined); precision is 0 when nothing is predicted
 * positive, recall 0 when there are no positive labels, and F1 0 when both are 0. With no rows (or
 * zero total weight) every metric but {@code count} is NaN.
 *
 * @param count rows evaluated (not weighted)
 * @param positiveRate weighted share of rows labelled 1
 * @param rocAuc area under the ROC curve: the chance that a random positive scores above a random
 *     negative, ties counting one half (the average-rank, Mann-Whitney form)
 * @param logLoss mean negative log-likelihood, probabilities clipped to [1e-15, 1 - 1e-15]
 * @param accuracy weighted share of rows classified correctly
 * @param precision true positives over predicted positives
 * @param recall true positives over actual positives
 * @param f1 harmonic mean of precision and recall
 * @param brier mean squared difference between probability and label
 */
public record ClassificationMetrics(
    long count,
    double positiveRate,
    double rocAuc,
    double logLoss,
    double accuracy,
    double precision,
    double recall,
    double f1,
    double brier)
    implements Serializable {

  /** The clipping bound of probabilities in the log loss. */
  public static final double EPSILON = 1e-15;

  /** The probability above which a row is predicted positive. */
  public static final double THRESHOLD = 0.5;

  /** Unweighted metrics; fails on arrays of different lengths, labels other than 0 or 1. */
  public static ClassificationMetrics of(double[] probabilities, double[] labels) {
    return of(probabilities, labels, THRESHOLD);
  }

  /** Unweighted metrics, a row predicted positive when its probability is above {@code t}. */
  public static ClassificationMetrics of(double[] probabilities, double[] labels, double t) {
    double[] weights = new double[probabilities.length];
    Arrays.fill(weights, 1.0);
    return of(probabilities, labels, weights, t);
  }

  /**
   * The decision threshold with the highest F1: a row is positive when its probability is above it.
   * Chosen among the midpoints between distinct probabilities (the highest on a tie), so it does
   * not sit on any row's probability; {@link #THRESHOLD} when there is no positive label.
   */
  public static double f1OptimalThreshold(double[] probabilities, double[] labels) {
    int n = probabilities.length;
    double positives = 0;
    for (double y : labels) {
      positives += y == 1.0 ? 1 : 0;
    }
    if (n == 0 || positives == 0) {
      return THRESHOLD;
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> -probabilities[i]));
    double truePositives = 0;
    double predicted = 0;
    double bestF1 = -1;
    double best = THRESHOLD;
    int start = 0;
    while (start < n) {
      double p = probabilities[order[start]];
      int end = start;
      while (end < n && probabilities[order[end]] == p) {
        truePositives += labels[order[end]] == 1.0 ? 1 : 0;
        predicted++;
        end++;
      }
      double f1 = 2 * truePositives / (predicted + positives);
      if (f1 > bestF1) {
        bestF1 = f1;
        best = end < n ? (p + probabilities[order[end]]) / 2 : p / 2;
      }
      start = end;
    }
    return best;
  }

  /**
   * Weighted metrics: each row counts its weight (finite, at least 0) instead of 1; fails on arrays
   * of different lengths, probabilities outside [0, 1] or NaN, labels other than 0 or 1.
   */
  public static ClassificationMetrics of(
      double[] probabilities, double[] labels, double[] weights) {
    return of(probabilities, labels, weights, THRESHOLD);
  }

  /** Weighted metrics, a row predicted positive when its probability is above {@code threshold}. */
  public static ClassificationMetrics of(
      double[] probabilities, double[] labels, double[] weights, double threshold) {
    int n = probabilities.length;
    if (labels.length != n || weights.length != n) {
      throw new IllegalArgumentException(
          "probabilities, labels and weights differ in length: "
              + n
              + ", "
              + labels.length
              + ", "
              + weights.length);
    }
    double total = 0;
    double positives = 0;
    double truePositives = 0;
    double falsePositives = 0;
    double correct = 0;
    double logLoss = 0;
    double brier = 0;
    for (int i = 0; i < n; i++) {
      double p = probabilities[i];
      double y = labels[i];
      double w = weights[i];
      check(p, y, w, i);
      boolean actual = y == 1.0;
      boolean predicted = p > threshold;
      total += w;
      positives += actual ? w : 0;
      truePositives += actual && predicted ? w : 0;
      falsePositives += !actual && predicted ? w : 0;
      correct += actual == predicted ? w : 0;
      double clipped = Math.min(Math.max(p, EPSILON), 1 - EPSILON);
      logLoss -= w * (actual ? Math.log(clipped) : Math.log(1 - clipped));
      brier += w * (p - y) * (p - y);
    }
    if (total == 0) {
      double nan = Double.NaN;
      return new ClassificationMetrics(n, nan, nan, nan, nan, nan, nan, nan, nan);
    }
    double predictedPositives = truePositives + falsePositives;
    double precision = predictedPositives == 0 ? 0 : truePositives / predictedPositives;
    double recall = positives == 0 ? 0 : truePositives / positives;
    double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    return new ClassificationMetrics(
        n,
        positives / total,
        rocAuc(probabilities, labels, weights),
        logLoss / total,
        correct / total,
        precision,
        recall,
        f1,
        brier / total);
  }

  private static void check(double p, double y, double w, int i) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("row " + i + ": probability " + p + " is not in [0, 1]");
    }
    if (y != 0.0 && y != 1.0) {
      throw new IllegalArgumentException("row " + i + ": label " + y + " is not 0 or 1");
    }
    if (!(w >= 0) || Double.isInfinite(w)) {
      throw new IllegalArgumentException("row " + i + ": weight " + w + " is not finite and >= 0");
    }
  }

  /**
   * Exact weighted ROC-AUC in O(n log n): rows sorted by probability, each group of tied
   * probabilities credits its positives with the negative weight below it plus half its own.
   */
  static double rocAuc(double[] probabilities, double[] labels, double[] weights) {
    Integer[] order = new Integer[probabilities.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> probabilities[i]));
    double negativesBelow = 0;
    double area = 0;
    double positives = 0;
    int start = 0;
    while (start < order.length) {
      int end = start;
      double groupPositives = 0;
      double groupNegatives = 0;
      while (end < order.length && probabilities[order[end]] == probabilities[order[start]]) {
        int i = order[end];
        if (labels[i] == 1.0) {
          groupPositives += weights[i];
        } else {
          groupNegatives += weights[i];
        }
        end++;
      }
      area += groupPositives * (negativesBelow + 0.5 * groupNegatives);
      negativesBelow += groupNegatives;
      positives += groupPositives;
      start = end;
    }
    if (positives == 0 || negativesBelow == 0) {
      return Double.NaN;
    }
    return area / (positives * negativesBelow);
  }

  /**
   * The metrics by name: {@code roc_auc, log_loss, accuracy, precision, recall, f1, brier, count,
   * positive_rate}, in that order; the names the tracking server logs them under.
   */
  public Map<String, Double> asMap() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("roc_auc", rocAuc);
    m.put("log_loss", logLoss);
    m.put("accuracy", accuracy);
    m.put("precision", precision);
    m.put("recall", recall);
    m.put("f1", f1);
    m.put("brier", brier);
    m.put("count", (double) count);
    m.put("positive_rate", positiveRate);
    return m;
  }
}
