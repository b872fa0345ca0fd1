package org.beammlops.transforms.evaluate;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Metrics of a multi-class classifier's probabilities against class indexes: accuracy (of the most
 * probable class), macro and weighted F1, log loss, and one-vs-rest ROC-AUC averaged over the
 * classes present (macro), as scikit-learn defines them. The naive baseline predicts the training
 * class prior for every row.
 *
 * <p>Undefined cases: a class with no row and no prediction has F1 0 and no weight in the weighted
 * F1; a class absent from the labels (or the only one present) is left out of the macro AUC, which
 * is NaN when no class has both. With no rows every metric but {@code count} is NaN.
 *
 * @param count rows evaluated
 * @param classes the number of classes
 * @param accuracy share of rows whose most probable class is their label
 * @param macroF1 mean F1 over the classes
 * @param weightedF1 F1 of each class weighted by its share of the labels
 * @param logLoss mean negative log of the label's probability, clipped to [1e-15, 1 - 1e-15]
 * @param rocAucMacro mean one-vs-rest ROC-AUC over the classes with both positives and negatives
 */
public record MultiClassMetrics(
    long count,
    int classes,
    double accuracy,
    double macroF1,
    double weightedF1,
    double logLoss,
    double rocAucMacro)
    implements Serializable {

  /**
   * The metrics of {@code probabilities[row][class]} against {@code labels[row]} (a class index as
   * a double); fails on a label outside {@code [0, classes)} or rows of the wrong width.
   */
  public static MultiClassMetrics of(double[][] probabilities, double[] labels) {
    int n = labels.length;
    if (probabilities.length != n) {
      throw new IllegalArgumentException(
          "probabilities and labels differ in length: " + probabilities.length + ", " + n);
    }
    int k = n == 0 ? 0 : probabilities[0].length;
    if (n == 0) {
      double nan = Double.NaN;
      return new MultiClassMetrics(0, 0, nan, nan, nan, nan, nan);
    }
    long[] truePositives = new long[k];
    long[] predicted = new long[k];
    long[] actual = new long[k];
    long correct = 0;
    double logLoss = 0;
    for (int i = 0; i < n; i++) {
      double[] p = probabilities[i];
      if (p.length != k) {
        throw new IllegalArgumentException(
            "row " + i + " has " + p.length + " probabilities, not " + k);
      }
      int y = (int) labels[i];
      if (y != labels[i] || y < 0 || y >= k) {
        throw new IllegalArgumentException("row " + i + ": label " + labels[i] + " is no class");
      }
      int best = 0;
      for (int c = 1; c < k; c++) {
        if (p[c] > p[best]) {
          best = c;
        }
      }
      predicted[best]++;
      actual[y]++;
      if (best == y) {
        truePositives[y]++;
        correct++;
      }
      double clipped =
          Math.min(
              Math.max(p[y], ClassificationMetrics.EPSILON), 1 - ClassificationMetrics.EPSILON);
      logLoss -= Math.log(clipped);
    }
    double macroF1 = 0;
    double weightedF1 = 0;
    double aucSum = 0;
    int aucClasses = 0;
    double[] column = new double[n];
    double[] oneVsRest = new double[n];
    double[] weights = new double[n];
    java.util.Arrays.fill(weights, 1.0);
    for (int c = 0; c < k; c++) {
      double precision = predicted[c] == 0 ? 0 : (double) truePositives[c] / predicted[c];
      double recall = actual[c] == 0 ? 0 : (double) truePositives[c] / actual[c];
      double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      macroF1 += f1 / k;
      weightedF1 += f1 * actual[c] / n;
      if (actual[c] > 0 && actual[c] < n) {
        for (int i = 0; i < n; i++) {
          column[i] = probabilities[i][c];
          oneVsRest[i] = labels[i] == c ? 1 : 0;
        }
        aucSum += ClassificationMetrics.rocAuc(column, oneVsRest, weights);
        aucClasses++;
      }
    }
    return new MultiClassMetrics(
        n,
        k,
        (double) correct / n,
        macroF1,
        weightedF1,
        logLoss / n,
        aucClasses == 0 ? Double.NaN : aucSum / aucClasses);
  }

  /**
   * The metrics by name: {@code accuracy, f1_macro, f1_weighted, log_loss, roc_auc_ovr_macro,
   * count}; the names the tracking server logs them under.
   */
  public Map<String, Double> asMap() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("accuracy", accuracy);
    m.put("f1_macro", macroF1);
    m.put("f1_weighted", weightedF1);
    m.put("log_loss", logLoss);
    m.put("roc_auc_ovr_macro", rocAucMacro);
    m.put("count", (double) count);
    return m;
  }
}
