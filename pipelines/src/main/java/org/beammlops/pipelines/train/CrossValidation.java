package org.beammlops.pipelines.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.transforms.evaluate.ClassificationMetrics;
import org.beammlops.transforms.learn.LearnerKind;
import org.beammlops.transforms.learn.LearnerSpec;
import org.beammlops.transforms.learn.Objective;
import org.beammlops.transforms.learn.Stacker;
import org.beammlops.transforms.tracking.MetricPoint;
import org.beammlops.transforms.tracking.RunHandle;

/**
 * The cross-validation results of every candidate: per-fold metrics, their mean and standard
 * deviation, the search's winner, and the out-of-fold scores the stacker learns from. Each fold's
 * rows come in the training set's order, so the folds of every learner line up row by row.
 */
final class CrossValidation {
  final Objective objective;
  final int folds;
  final List<FitResult> results;
  private final Map<String, List<FitResult>> byLearner = new LinkedHashMap<>();
  private final Map<String, String> sourceOfChosen = new LinkedHashMap<>();

  CrossValidation(Objective objective, int folds, List<FitResult> results) {
    this.objective = objective;
    this.folds = folds;
    this.results = results;
    for (FitResult r : results) {
      byLearner.computeIfAbsent(r.learner().name(), k -> new ArrayList<>()).add(r);
    }
    byLearner.values().forEach(l -> l.sort(Comparator.comparingInt(FitResult::fold)));
  }

  /** Metrics of one candidate on one fold. */
  Map<String, Double> foldMetrics(FitResult r) {
    return Evaluation.of(
        objective, Evaluation.predictionsOfScores(objective, r.scores()), r.targets());
  }

  /** Mean of each metric over the folds that had rows. */
  Map<String, Double> meanMetrics(String learner) {
    return summarize(learner, false);
  }

  private Map<String, Double> summarize(String learner, boolean std) {
    Map<String, List<Double>> values = new TreeMap<>();
    for (FitResult r : byLearner.get(learner)) {
      if (r.scores().length == 0) {
        continue;
      }
      foldMetrics(r).forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
    }
    Map<String, Double> out = new TreeMap<>();
    values.forEach(
        (k, list) -> {
          double mean = list.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
          double var =
              list.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum()
                  / Math.max(1, list.size() - 1);
          out.put(k, std ? Math.sqrt(var) : mean);
        });
    return out;
  }

  /** The configured learners with each GBT replaced by its best search trial. */
  List<LearnerSpec> chosen(List<LearnerSpec> configured) {
    List<LearnerSpec> chosen = new ArrayList<>();
    String metric = Evaluation.primaryMetric(objective);
    for (LearnerSpec learner : configured) {
      if (learner.kind() != LearnerKind.GBT) {
        sourceOfChosen.put(learner.name(), learner.name());
        chosen.add(learner);
        continue;
      }
      String best = null;
      double bestScore = Double.POSITIVE_INFINITY;
      for (String candidate : byLearner.keySet()) {
        if (!candidate.startsWith(learner.name() + "-trial-")) {
          continue;
        }
        double score = meanMetrics(candidate).getOrDefault(metric, Double.NaN);
        if (best == null || Evaluation.better(score, bestScore)) {
          best = candidate;
          bestScore = score;
        }
      }
      LearnerSpec trial = byLearner.get(best).get(0).learner();
      sourceOfChosen.put(learner.name(), best);
      chosen.add(trial.named(learner.name()));
    }
    return chosen;
  }

  /** The search trial a chosen learner came from (itself when it was not searched). */
  String sourceOf(String chosenName) {
    return sourceOfChosen.getOrDefault(chosenName, chosenName);
  }

  /**
   * Out-of-fold scores of the chosen learners, {@code [learner][row * width + c]}, folds in order.
   */
  double[][] outOfFoldScores(List<LearnerSpec> chosen) {
    double[][] scores = new double[chosen.size()][];
    for (int j = 0; j < chosen.size(); j++) {
      scores[j] =
          byLearner.get(sourceOf(chosen.get(j).name())).stream()
              .flatMapToDouble(r -> Arrays.stream(r.scores()))
              .toArray();
    }
    return scores;
  }

  /** The training targets in out-of-fold order. */
  double[] outOfFoldTargets() {
    return byLearner.values().iterator().next().stream()
        .flatMapToDouble(r -> Arrays.stream(r.targets()))
        .toArray();
  }

  /**
   * The naive baseline's prediction for every row: the training mean (regression), the share of
   * class 1 (binary) or every class's share, the class prior (multi-class).
   */
  double[] baselinePrediction() {
    double[] targets = outOfFoldTargets();
    if (!objective.isMultiClass()) {
      return new double[] {Arrays.stream(targets).average().orElse(Double.NaN)};
    }
    double[] prior = new double[objective.classes()];
    for (double t : targets) {
      prior[(int) t] += 1.0 / targets.length;
    }
    return prior;
  }

  /**
   * The decision threshold of a binary task: the configured one, or the F1-optimal one on the
   * stack's out-of-fold probabilities (rows the models did not see, so it is not tuned to the
   * training fit). NaN for other tasks.
   */
  double decisionThreshold(Task task, Stacker stacker, List<LearnerSpec> chosen) {
    if (!task.isBinary()) {
      return Double.NaN;
    }
    return task.fixedThreshold()
        .orElseGet(
            () ->
                ClassificationMetrics.f1OptimalThreshold(
                    stacker.predict(outOfFoldScores(chosen)), outOfFoldTargets()));
  }

  Stacker fitStacker(List<LearnerSpec> chosen) {
    double[] targets = outOfFoldTargets();
    for (List<FitResult> folds : byLearner.values()) {
      double[] t = folds.stream().flatMapToDouble(r -> Arrays.stream(r.targets())).toArray();
      if (!Arrays.equals(t, targets)) {
        throw new IllegalStateException(
            "out-of-fold rows differ between learners; the training set changed during the run");
      }
    }
    return Stacker.fit(
        objective,
        chosen.stream().map(LearnerSpec::name).toList(),
        outOfFoldScores(chosen),
        targets);
  }

  /** One nested run per hyperparameter search trial: params, fold metrics, timings. */
  void logTrials(RunHandle parent) {
    for (String candidate : byLearner.keySet()) {
      if (candidate.contains("-trial-")) {
        Map<String, String> tags =
            Map.of(
                "mlops.learner",
                byLearner.get(candidate).get(0).learner().kind().id(),
                "mlops.stage",
                "search_trial");
        try (RunHandle child = parent.startChildRun(candidate, tags)) {
          logCandidate(child, candidate, Map.of(), List.of());
        }
      }
    }
  }

  /**
   * Logs {@code candidate}'s params, per-fold metrics (step = fold), their mean and std, and its
   * timings into {@code run}, with any {@code extraParams} and {@code extraMetrics}.
   */
  void logCandidate(
      RunHandle run,
      String candidate,
      Map<String, String> extraParams,
      List<MetricPoint> extraMetrics) {
    List<FitResult> folds = byLearner.get(candidate);
    LearnerSpec spec = folds.get(0).learner();
    Map<String, String> params = new TreeMap<>(spec.params());
    params.put("learner", spec.kind().id());
    params.put("folds", Integer.toString(this.folds));
    params.putAll(extraParams);
    List<MetricPoint> metrics = new ArrayList<>(extraMetrics);
    double fitTotal = 0;
    for (FitResult r : folds) {
      fitTotal += r.fitSeconds();
      metrics.add(MetricPoint.of("fit_seconds", r.fitSeconds(), r.fold()));
      metrics.add(MetricPoint.of("score_seconds", r.scoreSeconds(), r.fold()));
      metrics.add(MetricPoint.of("train_rows", r.trainRows(), r.fold()));
      metrics.add(MetricPoint.of("validation_rows", r.scores().length, r.fold()));
      if (r.scores().length > 0) {
        foldMetrics(r).forEach((k, v) -> metrics.add(MetricPoint.of("cv_" + k, v, r.fold())));
      }
    }
    meanMetrics(candidate).forEach((k, v) -> metrics.add(MetricPoint.of("cv_" + k + "_mean", v)));
    summarize(candidate, true)
        .forEach((k, v) -> metrics.add(MetricPoint.of("cv_" + k + "_std", v)));
    metrics.add(MetricPoint.of("cv_fit_seconds_total", fitTotal));
    run.logBatch(params, finite(metrics), Map.of());
  }

  /** MLflow refuses NaN in some stores; undefined metrics (AUC of one class) are left out. */
  static List<MetricPoint> finite(List<MetricPoint> metrics) {
    return metrics.stream().filter(m -> Double.isFinite(m.value())).toList();
  }
}
