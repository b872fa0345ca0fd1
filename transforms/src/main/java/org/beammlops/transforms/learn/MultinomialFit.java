package org.beammlops.transforms.learn;

import java.util.List;
import org.tribuo.math.la.DenseMatrix;

/**
 * Fits the multi-class {@link Stacker} by Newton's method with step halving: parameters {@code
 * (w_1..w_L, b_1..b_K)}, class probabilities {@code softmax_c(Σ_j w_j s_jc + b_c)}, maximising the
 * log-likelihood minus a small ridge penalty (which also pins the intercepts, otherwise free up to
 * a common constant). It starts from the class prior, as the binary fit does.
 */
final class MultinomialFit {
  private static final double RIDGE = 1e-6;
  private static final int MAX_NEWTON_STEPS = 50;
  private static final int MAX_HALVINGS = 30;

  private final double[][] scores;
  private final int[] classes;
  private final int learners;
  private final int k;
  private final int n;

  private MultinomialFit(double[][] scores, int[] classes, int k) {
    this.scores = scores;
    this.classes = classes;
    this.learners = scores.length;
    this.k = k;
    this.n = classes.length;
  }

  static Stacker fit(
      Objective objective, List<String> learnerNames, double[][] scores, double[] targets) {
    int k = objective.classes();
    int[] classes = new int[targets.length];
    double[] prior = new double[k];
    for (int r = 0; r < targets.length; r++) {
      classes[r] = (int) targets[r];
      if (classes[r] != targets[r] || classes[r] < 0 || classes[r] >= k) {
        throw new IllegalArgumentException("row " + r + ": " + targets[r] + " is no class index");
      }
      prior[classes[r]]++;
    }
    for (double[] column : scores) {
      if (column.length != targets.length * k) {
        throw new IllegalArgumentException(
            column.length + " scores for " + targets.length + " rows of " + k + " classes");
      }
    }
    MultinomialFit fit = new MultinomialFit(scores, classes, k);
    double[] theta = new double[scores.length + k];
    for (int c = 0; c < k; c++) {
      theta[scores.length + c] = Math.log(Math.max(prior[c] / targets.length, 1e-6));
    }
    fit.optimise(theta);
    return new Stacker(
        objective,
        List.copyOf(learnerNames),
        java.util.Arrays.copyOf(theta, scores.length),
        java.util.Arrays.copyOfRange(theta, scores.length, theta.length));
  }

  private void optimise(double[] theta) {
    int params = theta.length;
    double loss = loss(theta);
    for (int step = 0; step < MAX_NEWTON_STEPS; step++) {
      double[] gradient = new double[params];
      DenseMatrix hessian = new DenseMatrix(params, params);
      accumulate(theta, gradient, hessian);
      double[] delta = Stacker.solve(hessian, gradient);
      double scale = 1;
      double[] next = new double[params];
      double nextLoss = Double.POSITIVE_INFINITY;
      for (int halving = 0; halving < MAX_HALVINGS; halving++, scale /= 2) {
        for (int a = 0; a < params; a++) {
          next[a] = theta[a] + scale * delta[a];
        }
        nextLoss = loss(next);
        if (nextLoss <= loss) {
          break;
        }
      }
      if (!(nextLoss <= loss)) {
        return; // no step improves: this is the optimum within float precision
      }
      double largest = 0;
      for (int a = 0; a < params; a++) {
        largest = Math.max(largest, Math.abs(next[a] - theta[a]));
        theta[a] = next[a];
      }
      loss = nextLoss;
      if (largest < 1e-10) {
        return;
      }
    }
  }

  /** The class logits of row {@code r}, into {@code z}. */
  private void logits(double[] theta, int r, double[] z) {
    for (int c = 0; c < k; c++) {
      double sum = theta[learners + c];
      for (int j = 0; j < learners; j++) {
        sum += theta[j] * scores[j][r * k + c];
      }
      z[c] = sum;
    }
  }

  /** Negative log-likelihood plus the ridge penalty. */
  private double loss(double[] theta) {
    double[] z = new double[k];
    double total = 0;
    for (int r = 0; r < n; r++) {
      logits(theta, r, z);
      double max = Double.NEGATIVE_INFINITY;
      for (double v : z) {
        max = Math.max(max, v);
      }
      double sum = 0;
      for (double v : z) {
        sum += Math.exp(v - max);
      }
      total += max + Math.log(sum) - z[classes[r]];
    }
    for (double t : theta) {
      total += 0.5 * RIDGE * n * t * t;
    }
    return total;
  }

  /**
   * The penalised log-likelihood's gradient and its negative Hessian: per row, with X the row's [K,
   * params] design ({@code X[c][j] = s_jc}, {@code X[c][L + c'] = [c = c']}), {@code Xᵀ(y - p)} and
   * {@code Xᵀ(diag p - p pᵀ)X}.
   */
  private void accumulate(double[] theta, double[] gradient, DenseMatrix hessian) {
    int params = theta.length;
    double[] z = new double[k];
    double[] p = new double[k];
    double[][] x = new double[k][params];
    double[] mean = new double[params];
    double[][] h = new double[params][params];
    for (int r = 0; r < n; r++) {
      logits(theta, r, z);
      Objective.softmax(z, 0, k, p);
      for (int c = 0; c < k; c++) {
        for (int j = 0; j < learners; j++) {
          x[c][j] = scores[j][r * k + c];
        }
        for (int c2 = 0; c2 < k; c2++) {
          x[c][learners + c2] = c == c2 ? 1 : 0;
        }
      }
      java.util.Arrays.fill(mean, 0);
      for (int c = 0; c < k; c++) {
        double residual = (classes[r] == c ? 1 : 0) - p[c];
        for (int a = 0; a < params; a++) {
          gradient[a] += residual * x[c][a];
          mean[a] += p[c] * x[c][a];
        }
      }
      for (int a = 0; a < params; a++) {
        for (int b = a; b < params; b++) {
          double sum = 0;
          for (int c = 0; c < k; c++) {
            sum += p[c] * x[c][a] * x[c][b];
          }
          h[a][b] += sum - mean[a] * mean[b];
        }
      }
    }
    for (int a = 0; a < params; a++) {
      gradient[a] -= RIDGE * n * theta[a];
      for (int b = a; b < params; b++) {
        double v = h[a][b] + (a == b ? RIDGE * n : 0);
        hessian.set(a, b, v);
        hessian.set(b, a, v);
      }
    }
  }
}
