package org.beammlops.pipelines.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.transforms.learn.LearnerSpec;
import org.beammlops.transforms.learn.Objective;
import org.beammlops.transforms.learn.Stacker;

/**
 * The holdout evaluation: the stack, each refitted base learner and the naive baseline (the
 * training prior or mean, predicted for every row) on the same held-out rows.
 */
record Holdout(
    Objective objective,
    Map<String, Double> stack,
    Map<String, Map<String, Double>> bases,
    Map<String, Double> baseline,
    double[] stackPredictions,
    double[] targets,
    double threshold,
    String comparison) {

  /**
   * Evaluates on the holdout rows; classes (accuracy, precision, recall, F1) are cut at {@code
   * threshold}, the decision threshold the model serves with, for the stack, its members and the
   * baseline alike.
   */
  static Holdout evaluate(
      Objective objective,
      List<LearnerSpec> chosen,
      List<FitResult> refits,
      Stacker stacker,
      double[] baselinePrediction,
      double threshold) {
    double[][] scores = new double[chosen.size()][];
    double[] targets = null;
    Map<String, Map<String, Double>> bases = new LinkedHashMap<>();
    for (int j = 0; j < chosen.size(); j++) {
      String name = chosen.get(j).name();
      FitResult refit =
          refits.stream().filter(r -> r.learner().name().equals(name)).findFirst().orElseThrow();
      scores[j] = refit.scores();
      targets = refit.targets();
      bases.put(
          name,
          Evaluation.of(
              objective, Evaluation.predictionsOfScores(objective, scores[j]), targets, threshold));
    }
    double[] stacked = stacker.predict(scores);
    int width = baselinePrediction.length;
    double[] constant = new double[targets.length * width];
    for (int r = 0; r < targets.length; r++) {
      System.arraycopy(baselinePrediction, 0, constant, r * width, width);
    }
    Map<String, Double> stack =
        new LinkedHashMap<>(Evaluation.of(objective, stacked, targets, threshold));
    Map<String, Double> baseline = Evaluation.of(objective, constant, targets, threshold);
    return new Holdout(
        objective,
        stack,
        bases,
        baseline,
        stacked,
        targets,
        threshold,
        compare(objective, stack, bases));
  }

  /** Whether the stack is at least as good as its best member, and if not, why not. */
  private static String compare(
      Objective objective, Map<String, Double> stack, Map<String, Map<String, Double>> bases) {
    String metric = Evaluation.primaryMetric(objective);
    String best = null;
    for (var e : bases.entrySet()) {
      if (best == null
          || Evaluation.better(e.getValue().get(metric), bases.get(best).get(metric))) {
        best = e.getKey();
      }
    }
    double s = stack.get(metric);
    double b = bases.get(best).get(metric);
    if (!Evaluation.better(b, s)) {
      return String.format(
          "stack %s %.6f is at least as good as the best base learner (%s, %.6f)",
          metric, s, best, b);
    }
    return String.format(
        "stack %s %.6f is worse than %s alone (%.6f): the stacker's weights were fitted on"
            + " out-of-fold scores of models trained on 1 - 1/folds of the rows, and on this"
            + " later holdout the single learner generalises better; the difference is %.2g",
        metric, s, best, b, s - b);
  }

  String primaryMetric() {
    return Evaluation.primaryMetric(objective);
  }

  double primary() {
    return stack.get(primaryMetric());
  }

  double baselinePrimary() {
    return baseline.get(primaryMetric());
  }

  Map<String, Object> summary() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("rows", targets.length);
    out.put("metric", primaryMetric());
    if (objective.type() == Task.Type.CLASSIFICATION) {
      out.put("decision_threshold", threshold);
    }
    out.put("stack", stack);
    out.put("bases", bases);
    out.put("baseline", baseline);
    out.put("comparison", comparison);
    return out;
  }
}
