package org.beammlops.transforms.evaluate;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Collects (probability, label, weight) rows in parts that merge, for metrics computed by a
 * combiner (e.g. per window of the feedback-metrics pipeline). It keeps every row, because exact
 * ROC-AUC needs the full ranking; memory grows with the rows, 24 bytes each.
 */
public final class ClassificationAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;

  private double[] probabilities = new double[16];
  private double[] labels = new double[16];
  private double[] weights = new double[16];
  private int size;

  /** Adds one row of weight 1. */
  public ClassificationAccumulator add(double probability, double label) {
    return add(probability, label, 1.0);
  }

  /** Adds one row; it is checked when the metrics are computed. */
  public ClassificationAccumulator add(double probability, double label, double weight) {
    ensure(size + 1);
    probabilities[size] = probability;
    labels[size] = label;
    weights[size] = weight;
    size++;
    return this;
  }

  /** Adds {@code other}'s rows to this one and returns it; {@code other} is left as it was. */
  public ClassificationAccumulator merge(ClassificationAccumulator other) {
    ensure(size + other.size);
    System.arraycopy(other.probabilities, 0, probabilities, size, other.size);
    System.arraycopy(other.labels, 0, labels, size, other.size);
    System.arraycopy(other.weights, 0, weights, size, other.size);
    size += other.size;
    return this;
  }

  /** Rows added. */
  public int size() {
    return size;
  }

  /** The metrics of every row added. */
  public ClassificationMetrics result() {
    return ClassificationMetrics.of(
        Arrays.copyOf(probabilities, size),
        Arrays.copyOf(labels, size),
        Arrays.copyOf(weights, size));
  }

  private void ensure(int capacity) {
    if (capacity > probabilities.length) {
      int grown = Math.max(capacity, probabilities.length * 2);
      probabilities = Arrays.copyOf(probabilities, grown);
      labels = Arrays.copyOf(labels, grown);
      weights = Arrays.copyOf(weights, grown);
    }
  }
}
