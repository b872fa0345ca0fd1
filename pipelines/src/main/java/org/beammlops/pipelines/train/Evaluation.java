package org.beammlops.pipelines.train;

import java.util.Map;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.transforms.evaluate.ClassificationMetrics;
import org.beammlops.transforms.evaluate.RegressionMetrics;

/**
 * Metrics of predictions against targets for a task, and the one metric models are compared on: log
 * loss for classification (a proper scoring rule, so a better-calibrated model wins too; and what
 * the stacker minimises), RMSE for regression. Both are lower-is-better.
 */
final class Evaluation {
  private Evaluation() {}

  static String primaryMetric(Task.Type type) {
    return type == Task.Type.CLASSIFICATION ? "log_loss" : "rmse";
  }

  /** {@code predictions} are probabilities of class 1 (classification) or values. */
  static Map<String, Double> of(Task.Type type, double[] predictions, double[] targets) {
    return of(type, predictions, targets, ClassificationMetrics.THRESHOLD);
  }

  /** As {@link #of(Task.Type, double[], double[])}, classes cut at {@code threshold}. */
  static Map<String, Double> of(
      Task.Type type, double[] predictions, double[] targets, double threshold) {
    return type == Task.Type.CLASSIFICATION
        ? ClassificationMetrics.of(predictions, targets, threshold).asMap()
        : RegressionMetrics.of(predictions, targets).asMap();
  }

  /** Base learner scores are log odds for classification: their probabilities. */
  static double[] predictionsOfScores(Task.Type type, double[] scores) {
    if (type != Task.Type.CLASSIFICATION) {
      return scores;
    }
    double[] p = new double[scores.length];
    for (int i = 0; i < p.length; i++) {
      double z = scores[i];
      p[i] = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }
    return p;
  }

  /** Whether {@code candidate} is strictly better than {@code incumbent} on the primary metric. */
  static boolean better(double candidate, double incumbent) {
    return candidate < incumbent;
  }

  /**
   * Whether {@code candidate} beats {@code incumbent} on the primary metric (lower is better) by at
   * least the fraction {@code minImprovement} of it.
   */
  static boolean betterBy(double candidate, double incumbent, double minImprovement) {
    return candidate < incumbent - Math.abs(incumbent) * minImprovement;
  }
}
