package org.beammlops.transforms.learn;

import java.io.Serializable;
import java.util.List;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.transforms.learn.onnx.OnnxGraph;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;

/**
 * The meta-learner over the base learners' out-of-fold scores: logistic regression on their log
 * odds for classification, linear regression on their values for regression, both with a small
 * ridge penalty.
 *
 * <p>It is fitted exactly (Newton / IRLS, normal equations solved by Tribuo's Cholesky) rather than
 * by SGD: with a handful of columns the exact optimum is cheap, deterministic and free of step-size
 * tuning, so the stack reliably does no worse than its best member on the data it was fitted on.
 * Fitted without class weights, it also recalibrates base learners trained with them.
 */
public record Stacker(Task.Type type, List<String> learners, double[] weights, double bias)
    implements Serializable {

  private static final double RIDGE = 1e-6;
  private static final int MAX_NEWTON_STEPS = 50;

  /**
   * Fits the stacker on {@code scores[learner][row]} and the rows' targets (0/1 for
   * classification).
   */
  public static Stacker fit(
      Task.Type type, List<String> learners, double[][] scores, double[] targets) {
    int k = scores.length;
    if (k != learners.size() || k == 0) {
      throw new IllegalArgumentException("one score column per learner is needed");
    }
    int n = targets.length;
    double[] beta = new double[k + 1]; // intercept last
    if (type == Task.Type.REGRESSION) {
      beta = solve(normalMatrix(scores, n, null), normalVector(scores, targets, null, n));
    } else {
      double prior = 0;
      for (double t : targets) {
        prior += t;
      }
      prior = Math.min(Math.max(prior / n, 1e-6), 1 - 1e-6);
      beta[k] = Math.log(prior / (1 - prior));
      for (int step = 0; step < MAX_NEWTON_STEPS; step++) {
        double[] p = new double[n];
        double[] w = new double[n];
        double[] residual = new double[n];
        for (int r = 0; r < n; r++) {
          double z = beta[k];
          for (int j = 0; j < k; j++) {
            z += beta[j] * scores[j][r];
          }
          p[r] = sigmoid(z);
          w[r] = Math.max(p[r] * (1 - p[r]), 1e-12);
          residual[r] = targets[r] - p[r];
        }
        double[] gradient = normalVector(scores, residual, null, n);
        for (int j = 0; j <= k; j++) {
          gradient[j] -= RIDGE * n * beta[j];
        }
        double[] delta = solve(normalMatrix(scores, n, w), gradient);
        double largest = 0;
        for (int j = 0; j <= k; j++) {
          beta[j] += delta[j];
          largest = Math.max(largest, Math.abs(delta[j]));
        }
        if (largest < 1e-10) {
          break;
        }
      }
    }
    double[] coefficients = java.util.Arrays.copyOf(beta, k);
    return new Stacker(type, List.copyOf(learners), coefficients, beta[k]);
  }

  /** The stack's prediction (probability of class 1, or value) from one row's base scores. */
  public double predict(double[] rowScores) {
    double z = bias;
    for (int j = 0; j < weights.length; j++) {
      z += weights[j] * rowScores[j];
    }
    return type == Task.Type.CLASSIFICATION ? sigmoid(z) : z;
  }

  /** Predictions for every row of {@code scores[learner][row]}. */
  public double[] predict(double[][] scores) {
    int n = scores[0].length;
    double[] out = new double[n];
    double[] row = new double[scores.length];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < scores.length; j++) {
        row[j] = scores[j][r];
      }
      out[r] = predict(row);
    }
    return out;
  }

  /**
   * Adds the stacker over the [N, 1] score tensors {@code scoreNodes}; returns its [N, 1] output.
   */
  public String addTo(OnnxGraph graph, List<String> scoreNodes) {
    float[] w = new float[weights.length];
    for (int j = 0; j < w.length; j++) {
      w[j] = (float) weights[j];
    }
    String z = graph.linear(graph.concat(scoreNodes), w, (float) bias);
    return type == Task.Type.CLASSIFICATION ? graph.sigmoid(z) : z;
  }

  static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }

  /** XᵀWX + ridge, X = the score columns plus a column of ones (last). */
  private static DenseMatrix normalMatrix(double[][] scores, int n, double[] w) {
    int k = scores.length;
    DenseMatrix m = new DenseMatrix(k + 1, k + 1);
    for (int a = 0; a <= k; a++) {
      for (int b = a; b <= k; b++) {
        double sum = 0;
        for (int r = 0; r < n; r++) {
          double xa = a == k ? 1 : scores[a][r];
          double xb = b == k ? 1 : scores[b][r];
          sum += (w == null ? 1 : w[r]) * xa * xb;
        }
        if (a == b) {
          sum += RIDGE * n;
        }
        m.set(a, b, sum);
        m.set(b, a, sum);
      }
    }
    return m;
  }

  private static double[] normalVector(double[][] scores, double[] y, double[] w, int n) {
    int k = scores.length;
    double[] v = new double[k + 1];
    for (int a = 0; a <= k; a++) {
      double sum = 0;
      for (int r = 0; r < n; r++) {
        sum += (w == null ? 1 : w[r]) * (a == k ? 1 : scores[a][r]) * y[r];
      }
      v[a] = sum;
    }
    return v;
  }

  private static double[] solve(DenseMatrix m, double[] v) {
    var cholesky =
        m.choleskyFactorization()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "the base learners' scores are degenerate; the stacker cannot be fitted"));
    DenseVector x = cholesky.solve(DenseVector.createDenseVector(v));
    return x.toArray();
  }
}
