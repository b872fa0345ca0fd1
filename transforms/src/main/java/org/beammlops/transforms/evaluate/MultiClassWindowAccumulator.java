package org.beammlops.transforms.evaluate;

import java.io.Serializable;
import java.util.List;

/**
 * The metrics of a multi-class classifier over a stream of labelled predictions in memory that
 * grows with the classes, not the rows, mergeable: per-class confusion counts, sums of log loss,
 * Brier score and predicted probabilities, and one {@link RocAucSketch} per class (one vs rest).
 * The numbers equal {@link MultiClassMetrics} over the same rows, ROC-AUC within its bound.
 */
public final class MultiClassWindowAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;

  private final List<String> classes;
  private long rows;
  private long correct;
  private final long[] truePositives;
  private final long[] predicted;
  private final long[] actual;
  private final double[] probabilitySums;
  private double logLoss;
  private double brier;
  private final RocAucSketch[] auc;

  public MultiClassWindowAccumulator(List<String> classes) {
    this.classes = List.copyOf(classes);
    int k = classes.size();
    truePositives = new long[k];
    predicted = new long[k];
    actual = new long[k];
    probabilitySums = new double[k];
    auc = new RocAucSketch[k];
    for (int c = 0; c < k; c++) {
      auc[c] = new RocAucSketch();
    }
  }

  /** One labelled prediction: its class probabilities, the class the model chose, the truth. */
  public MultiClassWindowAccumulator add(double[] probabilities, int predictedClass, int label) {
    int k = classes.size();
    if (probabilities.length != k
        || label < 0
        || label >= k
        || predictedClass < 0
        || predictedClass >= k) {
      throw new IllegalArgumentException(
          probabilities.length
              + " probabilities, class "
              + predictedClass
              + " and label "
              + label
              + " do not fit "
              + k
              + " classes");
    }
    rows++;
    predicted[predictedClass]++;
    actual[label]++;
    if (predictedClass == label) {
      truePositives[label]++;
      correct++;
    }
    double p = probabilities[label];
    logLoss -=
        Math.log(
            Math.min(
                Math.max(p, ClassificationMetrics.EPSILON), 1 - ClassificationMetrics.EPSILON));
    for (int c = 0; c < k; c++) {
      double y = c == label ? 1 : 0;
      brier += (probabilities[c] - y) * (probabilities[c] - y);
      probabilitySums[c] += probabilities[c];
      auc[c].add(probabilities[c], c == label);
    }
    return this;
  }

  /** Adds {@code other} (of the same classes) into this one and returns it. */
  public MultiClassWindowAccumulator merge(MultiClassWindowAccumulator other) {
    rows += other.rows;
    correct += other.correct;
    for (int c = 0; c < classes.size(); c++) {
      truePositives[c] += other.truePositives[c];
      predicted[c] += other.predicted[c];
      actual[c] += other.actual[c];
      probabilitySums[c] += other.probabilitySums[c];
      auc[c].merge(other.auc[c]);
    }
    logLoss += other.logLoss;
    brier += other.brier;
    return this;
  }

  /** Labelled rows added. */
  public long rows() {
    return rows;
  }

  /**
   * {@code accuracy, f1_macro, f1_weighted, log_loss, brier, roc_auc_ovr_macro,
   * roc_auc_error_bound}, then per class {@code observed_rate_<class>, mean_predicted_<class>}.
   */
  public MetricValues result() {
    MetricValues m = new MetricValues();
    int k = classes.size();
    if (rows == 0) {
      for (String name :
          new String[] {
            "accuracy", "f1_macro", "f1_weighted", "log_loss", "brier", "roc_auc_ovr_macro"
          }) {
        m.undefined(name, BinaryWindowAccumulator.NO_ROWS);
      }
      return m;
    }
    double macroF1 = 0;
    double weightedF1 = 0;
    double aucSum = 0;
    double boundSum = 0;
    int aucClasses = 0;
    for (int c = 0; c < k; c++) {
      double precision = predicted[c] == 0 ? 0 : (double) truePositives[c] / predicted[c];
      double recall = actual[c] == 0 ? 0 : (double) truePositives[c] / actual[c];
      double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      macroF1 += f1 / k;
      weightedF1 += f1 * actual[c] / rows;
      if (actual[c] > 0 && actual[c] < rows) {
        aucSum += auc[c].auc();
        boundSum += auc[c].errorBound();
        aucClasses++;
      }
    }
    m.put("accuracy", (double) correct / rows);
    m.put("f1_macro", macroF1);
    m.put("f1_weighted", weightedF1);
    m.put("log_loss", logLoss / rows);
    m.put("brier", brier / rows);
    if (aucClasses == 0) {
      m.undefined(
          "roc_auc_ovr_macro", "only one class among the " + rows + " labelled predictions");
    } else {
      m.put("roc_auc_ovr_macro", aucSum / aucClasses);
      m.put("roc_auc_error_bound", boundSum / aucClasses);
    }
    for (int c = 0; c < k; c++) {
      m.put("observed_rate_" + classes.get(c), (double) actual[c] / rows);
      m.put("mean_predicted_" + classes.get(c), probabilitySums[c] / rows);
    }
    return m;
  }
}
