package org.beammlops.transforms.learn;

import java.io.Serializable;
import java.util.List;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.transforms.learn.onnx.OnnxGraph;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;

/**
 * The meta-learner over the base learners' out-of-fold scores: logistic regression on their log
 * odds for binary classification, linear regression on their values for regression, both with a
 * small ridge penalty.
 *
 * <p>Multi-class is multinomial logistic regression on the base learners' class margins with one
 * weight per learner (shared by the classes) and one intercept per class: {@code z_c = Σ_j w_j ·
 * s_jc + b_c}, probabilities {@code softmax(z)}. It is a weighted geometric mean of the members'
 * class distributions, recalibrated per class; for two classes it is exactly the binary stacker.
 * Its L + K parameters (not L·K·K) keep it as hard to overfit as the binary one when a class is
 * rare.
 *
 * <p>It is fitted exactly (Newton / IRLS, normal equations solved by Tribuo's Cholesky) rather than
 * by SGD: with a handful of parameters the exact optimum is cheap, deterministic and free of
 * step-size tuning, so the stack reliably does no worse than its best member on the data it was
 * fitted on. Fitted without class weights, it also recalibrates base learners trained with them.
 *
 * @param weights one per learner, in stack order
 * @param intercepts one per class for multi-class, else one
 */
public record Stacker(
    Objective objective, List<String> learners, double[] weights, double[] intercepts)
    implements Serializable {

  private static final double RIDGE = 1e-6;
  private static final int MAX_NEWTON_STEPS = 50;

  /**
   * Fits the stacker on {@code scores[learner][row * width + c]} and the rows' targets (0/1 for
   * binary, the class index for multi-class).
   */
  public static Stacker fit(
      Objective objective, List<String> learners, double[][] scores, double[] targets) {
    int k = scores.length;
    if (k != learners.size() || k == 0) {
      throw new IllegalArgumentException("one score column per learner is needed");
    }
    if (objective.isMultiClass()) {
      return MultinomialFit.fit(objective, learners, scores, targets);
    }
    int n = targets.length;
    double[] beta = new double[k + 1]; // intercept last
    if (objective.type() == Task.Type.REGRESSION) {
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
    return new Stacker(objective, List.copyOf(learners), coefficients, new double[] {beta[k]});
  }

  /** The intercept of a binary or regression stacker. */
  public double bias() {
    if (intercepts.length != 1) {
      throw new IllegalStateException("a multi-class stacker has one intercept per class");
    }
    return intercepts[0];
  }

  /**
   * The stack's prediction from one row's base scores ({@code rowScores[learner * width + c]}): the
   * probability of class 1, the value, or the class probabilities (multi-class), written into
   * {@code out}.
   */
  void predict(double[] rowScores, double[] out) {
    int width = objective.width();
    for (int c = 0; c < width; c++) {
      double z = intercepts[c];
      for (int j = 0; j < weights.length; j++) {
        z += weights[j] * rowScores[j * width + c];
      }
      out[c] = z;
    }
    if (objective.isMultiClass()) {
      Objective.softmax(out, 0, width, out);
    } else if (objective.isClassification()) {
      out[0] = sigmoid(out[0]);
    }
  }

  /**
   * Predictions for every row of {@code scores[learner][row * width + c]}, row by row: one per row,
   * or the class probabilities for multi-class.
   */
  public double[] predict(double[][] scores) {
    int width = objective.width();
    int n = scores[0].length / width;
    double[] out = new double[n * width];
    double[] row = new double[scores.length * width];
    double[] one = new double[width];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < scores.length; j++) {
        System.arraycopy(scores[j], r * width, row, j * width, width);
      }
      predict(row, one);
      System.arraycopy(one, 0, out, r * width, width);
    }
    return out;
  }

  /**
   * Adds the stacker over the [N, width] score tensors {@code scoreNodes}; returns its [N, width]
   * output.
   */
  public String addTo(OnnxGraph graph, List<String> scoreNodes) {
    int width = objective.width();
    // z = concat(scores) · M + b, M [learners · width, width] with M[j·width + c][c] = w_j
    float[] m = new float[weights.length * width * width];
    for (int j = 0; j < weights.length; j++) {
      for (int c = 0; c < width; c++) {
        m[(j * width + c) * width + c] = (float) weights[j];
      }
    }
    String z = graph.linear(graph.concat(scoreNodes), m, intercepts);
    if (objective.isMultiClass()) {
      return graph.softmax(z);
    }
    return objective.isClassification() ? graph.sigmoid(z) : z;
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

  static double[] solve(DenseMatrix m, double[] v) {
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
