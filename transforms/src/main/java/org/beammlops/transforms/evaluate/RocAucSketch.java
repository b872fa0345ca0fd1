package org.beammlops.transforms.evaluate;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * ROC-AUC of a stream of (score, label) rows in bounded memory, mergeable. Up to {@link #CAPACITY}
 * distinct scores it keeps each score's positive and negative counts and the AUC is exact (ties
 * credit half, as {@link ClassificationMetrics} does). Past that it folds the scores into {@link
 * #CAPACITY} equal bins of [0, 1] and treats a bin as one tie: the AUC is then off by at most
 * {@link #errorBound()}, half the share of positive-negative pairs that fall in one bin, which is
 * computed from the same counts and reported beside it. Binning depends only on the score, so the
 * result does not depend on the order of adds and merges.
 */
public final class RocAucSketch implements Serializable {
  private static final long serialVersionUID = 2L;

  /** Most distinct scores kept exactly, and the number of bins after that. */
  public static final int CAPACITY = 4096;

  /**
   * Score (exact) or bin lower edge (binned) to {positives, negatives}. Transient: {@link
   * #writeObject} writes it as primitives, since a runner encodes a window's accumulator on every
   * state access and default serialization of thousands of boxed entries dominated that cost.
   */
  private transient TreeMap<Double, long[]> counts = new TreeMap<>();

  private boolean binned;

  /** Adds one row; {@code score} in [0, 1]. */
  public RocAucSketch add(double score, boolean positive) {
    if (!(score >= 0 && score <= 1)) {
      throw new IllegalArgumentException("score " + score + " is not in [0, 1]");
    }
    put(binned ? bin(score) : score, positive ? 1 : 0, positive ? 0 : 1);
    if (!binned && counts.size() > CAPACITY) {
      foldIntoBins();
    }
    return this;
  }

  /** Adds {@code other}'s rows into this one and returns it; {@code other} is left as it was. */
  public RocAucSketch merge(RocAucSketch other) {
    if (other.binned && !binned) {
      foldIntoBins();
    }
    for (Map.Entry<Double, long[]> e : other.counts.entrySet()) {
      put(binned ? bin(e.getKey()) : e.getKey(), e.getValue()[0], e.getValue()[1]);
    }
    if (!binned && counts.size() > CAPACITY) {
      foldIntoBins();
    }
    return this;
  }

  /** True once the scores are binned (more than {@link #CAPACITY} distinct ones were seen). */
  public boolean binned() {
    return binned;
  }

  /** Rows whose label is positive. */
  public long positives() {
    return counts.values().stream().mapToLong(c -> c[0]).sum();
  }

  /** Rows whose label is negative. */
  public long negatives() {
    return counts.values().stream().mapToLong(c -> c[1]).sum();
  }

  /** The AUC; NaN when there are no positives or no negatives. */
  public double auc() {
    double negativesBelow = 0;
    double area = 0;
    double positives = 0;
    for (long[] c : counts.values()) {
      area += c[0] * (negativesBelow + 0.5 * c[1]);
      negativesBelow += c[1];
      positives += c[0];
    }
    return positives == 0 || negativesBelow == 0 ? Double.NaN : area / (positives * negativesBelow);
  }

  /**
   * How far {@link #auc()} can be from the exact AUC: 0 while exact; once binned, half the share of
   * positive-negative pairs whose scores share a bin (each such pair is credited one half, its
   * exact credit is 0, 1/2 or 1).
   */
  public double errorBound() {
    if (!binned) {
      return 0;
    }
    double sameBin = 0;
    for (long[] c : counts.values()) {
      sameBin += (double) c[0] * c[1];
    }
    double pairs = (double) positives() * negatives();
    return pairs == 0 ? 0 : 0.5 * sameBin / pairs;
  }

  private void put(double key, long positives, long negatives) {
    long[] c = counts.computeIfAbsent(key, k -> new long[2]);
    c[0] += positives;
    c[1] += negatives;
  }

  private void foldIntoBins() {
    TreeMap<Double, long[]> exact = counts;
    counts = new TreeMap<>();
    binned = true;
    for (Map.Entry<Double, long[]> e : exact.entrySet()) {
      put(bin(e.getKey()), e.getValue()[0], e.getValue()[1]);
    }
  }

  /** The lower edge of the score's bin; a score of exactly 1 shares the last bin. */
  private static double bin(double score) {
    return Math.min(Math.floor(score * CAPACITY), CAPACITY - 1) / CAPACITY;
  }

  private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
    out.defaultWriteObject();
    out.writeInt(counts.size());
    for (Map.Entry<Double, long[]> e : counts.entrySet()) {
      out.writeDouble(e.getKey());
      out.writeLong(e.getValue()[0]);
      out.writeLong(e.getValue()[1]);
    }
  }

  private void readObject(java.io.ObjectInputStream in)
      throws java.io.IOException, ClassNotFoundException {
    in.defaultReadObject();
    int n = in.readInt();
    counts = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      double key = in.readDouble();
      counts.put(key, new long[] {in.readLong(), in.readLong()});
    }
  }
}
