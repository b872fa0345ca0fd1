package org.beammlops.transforms.evaluate;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * A binary classifier's performance expected from its probabilities alone, before any label
 * arrives: NannyML's confidence-based performance estimation (CBPE). If the probabilities are
 * calibrated, a row scored {@code p} is positive with probability {@code p}, so each row adds
 * {@code p} to the expected true positives (or false negatives, below the threshold) and {@code 1 -
 * p} to the false positives (or true negatives); accuracy, precision, recall and F1 follow from the
 * expected confusion matrix. The expected ROC AUC is the share of (positive, negative) pairs ranked
 * right when every row is that fraction positive and the rest negative, from a histogram of the
 * scores in {@value #BINS} equal bins of [0, 1] (rows in one bin count as a tie, half right; {@link
 * #rocAucErrorBound()} says how much that can move it).
 *
 * <p>Mergeable and independent of the order of adds and merges, so it is a window's accumulator.
 * The estimate is only as good as the calibration: on a model whose probabilities are off, or whose
 * relation between features and label has changed (concept drift), it misses; that is why the
 * realized metrics are drawn beside it once the labels arrive.
 */
public final class ExpectedPerformance implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Bins of the score histogram. */
  public static final int BINS = 4096;

  private long rows;
  private double truePositives;
  private double falsePositives;
  private double falseNegatives;
  private double trueNegatives;

  /**
   * The expected metrics, named {@code estimated_*}, each undefined with its reason when it is not
   * defined; and {@code count}, the predictions they come from.
   */
  public MetricValues result() {
    MetricValues m = new MetricValues();
    m.put("count", rows);
    String none = "no prediction in the window";
    m.put("estimated_accuracy", accuracy(), none);
    m.put("estimated_precision", precision(), "no row predicted positive");
    m.put("estimated_recall", recall(), "no positive expected");
    m.put("estimated_f1", f1(), "precision or recall undefined");
    m.put("estimated_roc_auc", rocAuc(), "no positive or no negative expected");
    m.put("estimated_positive_rate", rows == 0 ? Double.NaN : expectedPositives() / rows, none);
    return m;
  }

  /**
   * Bin to {rows, sum of scores}. Transient: written as primitives ({@link #writeObject}), since a
   * runner encodes a window's accumulator on every state access.
   */
  private transient TreeMap<Integer, double[]> bins = new TreeMap<>();

  /**
   * Adds one row: its probability of the positive class, in [0, 1], and whether the model predicted
   * it positive (its probability above the served version's decision threshold).
   */
  public ExpectedPerformance add(double probability, boolean predictedPositive) {
    if (!(probability >= 0 && probability <= 1)) {
      throw new IllegalArgumentException("probability " + probability + " is not in [0, 1]");
    }
    rows++;
    if (predictedPositive) {
      truePositives += probability;
      falsePositives += 1 - probability;
    } else {
      falseNegatives += probability;
      trueNegatives += 1 - probability;
    }
    double[] bin = bins.computeIfAbsent(bin(probability), k -> new double[2]);
    bin[0]++;
    bin[1] += probability;
    return this;
  }

  /** Adds {@code other}'s rows into this one and returns it. */
  public ExpectedPerformance merge(ExpectedPerformance other) {
    rows += other.rows;
    truePositives += other.truePositives;
    falsePositives += other.falsePositives;
    falseNegatives += other.falseNegatives;
    trueNegatives += other.trueNegatives;
    for (Map.Entry<Integer, double[]> e : other.bins.entrySet()) {
      double[] bin = bins.computeIfAbsent(e.getKey(), k -> new double[2]);
      bin[0] += e.getValue()[0];
      bin[1] += e.getValue()[1];
    }
    return this;
  }

  public long rows() {
    return rows;
  }

  /** Expected accuracy; NaN without rows. */
  public double accuracy() {
    return rows == 0 ? Double.NaN : (truePositives + trueNegatives) / rows;
  }

  /** Expected precision; NaN when no row is predicted positive. */
  public double precision() {
    double predicted = truePositives + falsePositives;
    return predicted == 0 ? Double.NaN : truePositives / predicted;
  }

  /** Expected recall; NaN when no positive is expected. */
  public double recall() {
    double positives = truePositives + falseNegatives;
    return positives == 0 ? Double.NaN : truePositives / positives;
  }

  /** Expected F1 (of the expected precision and recall). */
  public double f1() {
    double p = precision();
    double r = recall();
    return Double.isNaN(p) || Double.isNaN(r) || p + r == 0 ? Double.NaN : 2 * p * r / (p + r);
  }

  /** Expected positives: the sum of the probabilities. */
  public double expectedPositives() {
    return truePositives + falseNegatives;
  }

  /** Expected ROC AUC; NaN when no positive or no negative is expected. */
  public double rocAuc() {
    double negativesBelow = 0;
    double positives = 0;
    double area = 0;
    for (double[] bin : bins.values()) {
      double p = bin[1];
      double n = bin[0] - bin[1];
      area += p * (negativesBelow + 0.5 * n);
      negativesBelow += n;
      positives += p;
    }
    return positives <= 0 || negativesBelow <= 0 ? Double.NaN : area / (positives * negativesBelow);
  }

  /**
   * How far the bins can move {@link #rocAuc()}: half the expected share of (positive, negative)
   * pairs within one bin.
   */
  public double rocAucErrorBound() {
    double sameBin = 0;
    double positives = 0;
    double negatives = 0;
    for (double[] bin : bins.values()) {
      sameBin += bin[1] * (bin[0] - bin[1]);
      positives += bin[1];
      negatives += bin[0] - bin[1];
    }
    return positives * negatives == 0 ? 0 : 0.5 * sameBin / (positives * negatives);
  }

  private static int bin(double probability) {
    return (int) Math.min(Math.floor(probability * BINS), BINS - 1);
  }

  private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
    out.defaultWriteObject();
    out.writeInt(bins.size());
    for (Map.Entry<Integer, double[]> e : bins.entrySet()) {
      out.writeInt(e.getKey());
      out.writeDouble(e.getValue()[0]);
      out.writeDouble(e.getValue()[1]);
    }
  }

  private void readObject(java.io.ObjectInputStream in)
      throws java.io.IOException, ClassNotFoundException {
    in.defaultReadObject();
    int n = in.readInt();
    bins = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      int bin = in.readInt();
      bins.put(bin, new double[] {in.readDouble(), in.readDouble()});
    }
  }
}
