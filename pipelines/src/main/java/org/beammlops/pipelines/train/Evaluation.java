package org.beammlops.pipelines.train;

import java.util.Arrays;
import java.util.Map;
import org.beammlops.transforms.evaluate.ClassificationMetrics;
import org.beammlops.transforms.evaluate.MultiClassMetrics;
import org.beammlops.transforms.evaluate.RegressionMetrics;
import org.beammlops.transforms.learn.Objective;

/**
 * Metrics of predictions against targets for a task, and the one metric models are compared on: log
 * loss for classification (a proper scoring rule, so a better-calibrated model wins too; and what
 * the stacker minimises), RMSE for regression. Both are lower-is-better.
 */
final class Evaluation {
  private Evaluation() {}

  static String primaryMetric(Objective objective) {
    return objective.isClassification() ? "log_loss" : "rmse";
  }

  /**
   * {@code predictions} are probabilities of class 1 (binary), class probabilities row by row
   * (multi-class) or values.
   */
  static Map<String, Double> of(Objective objective, double[] predictions, double[] targets) {
    return of(objective, predictions, targets, ClassificationMetrics.THRESHOLD);
  }

  /**
   * As {@link #of(Objective, double[], double[])}, binary classes cut at {@code threshold}; a
   * multi-class prediction is its most probable class.
   */
  static Map<String, Double> of(
      Objective objective, double[] predictions, double[] targets, double threshold) {
    return switch (objective.type()) {
      case CLASSIFICATION -> ClassificationMetrics.of(predictions, targets, threshold).asMap();
      case MULTICLASS -> {
        int k = objective.classes();
        double[][] rows = new double[targets.length][];
        for (int r = 0; r < rows.length; r++) {
          rows[r] = Arrays.copyOfRange(predictions, r * k, (r + 1) * k);
        }
        yield MultiClassMetrics.of(rows, targets).asMap();
      }
      case REGRESSION -> RegressionMetrics.of(predictions, targets).asMap();
    };
  }

  /** Base learner scores are log odds or class margins for classification: their probabilities. */
  static double[] predictionsOfScores(Objective objective, double[] scores) {
    return objective.predictions(scores);
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
