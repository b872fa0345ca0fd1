package org.beammlops.transforms.learn;

import java.io.Serializable;
import org.beammlops.schemas.usecase.Task;

/**
 * What a learner predicts, and so how many score columns it has per row: one value (regression),
 * one log-odds (binary classification), or one margin per class (multi-class; a row's margins are
 * its class log-probabilities up to a constant, so a softmax of them is its probabilities).
 *
 * <p>Scores of several rows are stored row by row in one flat array: score {@code c} of row {@code
 * r} is at {@code r * width() + c}.
 *
 * @param type the task's type
 * @param classes the number of classes: 2 for binary, K for multi-class, 0 for regression
 */
public record Objective(Task.Type type, int classes) implements Serializable {

  public Objective {
    int expected =
        switch (type) {
          case REGRESSION -> 0;
          case CLASSIFICATION -> 2;
          case MULTICLASS -> classes;
        };
    if (classes != expected || (type == Task.Type.MULTICLASS && classes < 2)) {
      throw new IllegalArgumentException(type + " with " + classes + " classes");
    }
  }

  /** The objective of {@code task}. */
  public static Objective of(Task task) {
    return switch (task.type()) {
      case REGRESSION -> regression();
      case CLASSIFICATION -> binary();
      case MULTICLASS -> multiClass(task.classes().size());
    };
  }

  public static Objective regression() {
    return new Objective(Task.Type.REGRESSION, 0);
  }

  public static Objective binary() {
    return new Objective(Task.Type.CLASSIFICATION, 2);
  }

  public static Objective multiClass(int classes) {
    return new Objective(Task.Type.MULTICLASS, classes);
  }

  /** Score columns per row: the number of classes for multi-class, else 1. */
  public int width() {
    return isMultiClass() ? classes : 1;
  }

  public boolean isMultiClass() {
    return type == Task.Type.MULTICLASS;
  }

  /** Binary or multi-class. */
  public boolean isClassification() {
    return type != Task.Type.REGRESSION;
  }

  /**
   * Predictions (probability of class 1, class probabilities row by row, or values) of a learner's
   * scores: the logistic function of binary log-odds, a softmax of each row's margins.
   */
  public double[] predictions(double[] scores) {
    double[] p = new double[scores.length];
    switch (type) {
      case REGRESSION -> System.arraycopy(scores, 0, p, 0, scores.length);
      case CLASSIFICATION -> {
        for (int i = 0; i < p.length; i++) {
          p[i] = sigmoid(scores[i]);
        }
      }
      case MULTICLASS -> {
        for (int r = 0; r < scores.length / classes; r++) {
          softmax(scores, r * classes, classes, p);
        }
      }
    }
    return p;
  }

  static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }

  /** Writes the softmax of {@code z[from, from + k)} into {@code out} at the same place. */
  static void softmax(double[] z, int from, int k, double[] out) {
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < k; c++) {
      max = Math.max(max, z[from + c]);
    }
    double sum = 0;
    for (int c = 0; c < k; c++) {
      out[from + c] = Math.exp(z[from + c] - max);
      sum += out[from + c];
    }
    for (int c = 0; c < k; c++) {
      out[from + c] /= sum;
    }
  }
}
