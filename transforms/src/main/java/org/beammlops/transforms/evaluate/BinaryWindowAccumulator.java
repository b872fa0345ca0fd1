package org.beammlops.transforms.evaluate;

import java.io.Serializable;

/**
 * The metrics of a binary classifier over a stream of labelled predictions in constant memory,
 * mergeable: the confusion counts at the model's own decision, sums of log loss, Brier score and
 * predicted probability, and a {@link RocAucSketch}. The numbers equal {@link
 * ClassificationMetrics} over the same rows (unweighted, the decision given), ROC-AUC within its
 * stated bound.
 */
public final class BinaryWindowAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;

  static final String NO_ROWS = "no prediction in the window has its truth yet";

  private long rows;
  private long positives;
  private long truePositives;
  private long falsePositives;
  private long trueNegatives;
  private double logLoss;
  private double brier;
  private double predicted;
  private final RocAucSketch auc = new RocAucSketch();

  /** One labelled prediction: the positive probability, the model's decision and the truth. */
  public BinaryWindowAccumulator add(
      double probability, boolean predictedPositive, boolean actual) {
    if (!(probability >= 0 && probability <= 1)) {
      throw new IllegalArgumentException("probability " + probability + " is not in [0, 1]");
    }
    rows++;
    positives += actual ? 1 : 0;
    truePositives += actual && predictedPositive ? 1 : 0;
    falsePositives += !actual && predictedPositive ? 1 : 0;
    trueNegatives += !actual && !predictedPositive ? 1 : 0;
    double clipped =
        Math.min(
            Math.max(probability, ClassificationMetrics.EPSILON),
            1 - ClassificationMetrics.EPSILON);
    logLoss -= actual ? Math.log(clipped) : Math.log(1 - clipped);
    brier += (probability - (actual ? 1 : 0)) * (probability - (actual ? 1 : 0));
    predicted += probability;
    auc.add(probability, actual);
    return this;
  }

  /** Adds {@code other} into this one and returns it. */
  public BinaryWindowAccumulator merge(BinaryWindowAccumulator other) {
    rows += other.rows;
    positives += other.positives;
    truePositives += other.truePositives;
    falsePositives += other.falsePositives;
    trueNegatives += other.trueNegatives;
    logLoss += other.logLoss;
    brier += other.brier;
    predicted += other.predicted;
    auc.merge(other.auc);
    return this;
  }

  /** Labelled rows added. */
  public long rows() {
    return rows;
  }

  /**
   * {@code positives, observed_rate, mean_predicted, accuracy, precision, recall, f1, roc_auc,
   * roc_auc_error_bound, log_loss, brier}; precision and recall are 0 when undefined, as offline.
   */
  public MetricValues result() {
    MetricValues m = new MetricValues();
    m.put("positives", positives);
    if (rows == 0) {
      for (String name :
          new String[] {
            "observed_rate",
            "mean_predicted",
            "accuracy",
            "precision",
            "recall",
            "f1",
            "roc_auc",
            "log_loss",
            "brier"
          }) {
        m.undefined(name, NO_ROWS);
      }
      return m;
    }
    double n = rows;
    long predictedPositives = truePositives + falsePositives;
    double precision = predictedPositives == 0 ? 0 : (double) truePositives / predictedPositives;
    double recall = positives == 0 ? 0 : (double) truePositives / positives;
    double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    m.put("observed_rate", positives / n);
    m.put("mean_predicted", predicted / n);
    m.put("accuracy", (truePositives + trueNegatives) / n);
    m.put("precision", precision);
    m.put("recall", recall);
    m.put("f1", f1);
    m.put(
        "roc_auc",
        auc.auc(),
        "only one class among the "
            + rows
            + " labelled predictions ("
            + (positives == 0 ? "all negative" : "all positive")
            + ")");
    if (Double.isFinite(auc.auc())) {
      m.put("roc_auc_error_bound", auc.errorBound());
    }
    m.put("log_loss", logLoss / n);
    m.put("brier", brier / n);
    return m;
  }
}
