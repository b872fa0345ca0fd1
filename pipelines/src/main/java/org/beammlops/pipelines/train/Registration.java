package org.beammlops.pipelines.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.transforms.features.FeatureSpec;
import org.beammlops.transforms.learn.Objective;
import org.beammlops.transforms.tracking.MetricPoint;
import org.beammlops.transforms.tracking.ModelUri;
import org.beammlops.transforms.tracking.RegisteredModelVersion;
import org.beammlops.transforms.tracking.ResolvedModel;
import org.beammlops.transforms.tracking.RunHandle;
import org.beammlops.transforms.tracking.TrackingClient;

/**
 * Logs the model and registers it behind the challenger gate. The current champion is scored on
 * <em>this</em> run's holdout with its own feature spec and graph, so both are judged on the same
 * rows; the new version becomes {@code champion} only if it beats that score and the naive
 * baseline, otherwise it becomes {@code challenger}.
 *
 * <p>Everything is uploaded before the version is created, and the version is created with its gate
 * tags in one request, so a tracking server that fails mid-run leaves a failed run and no version;
 * running again registers normally.
 */
final class Registration {
  static final String CHAMPION = "champion";
  static final String CHALLENGER = "challenger";

  private Registration() {}

  record Outcome(
      String name,
      Long version,
      String alias,
      boolean promoted,
      String reason,
      Double score,
      Double championScore,
      Double baselineScore) {
    Map<String, Object> summary() {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("registeredModel", name);
      out.put("version", version);
      out.put("alias", alias);
      out.put("promoted", promoted);
      out.put("reason", reason);
      out.put("score", score);
      out.put("championScore", championScore);
      out.put("baselineScore", baselineScore);
      return out;
    }
  }

  static Outcome logAndRegister(
      TrackingClient tracking,
      RunHandle parent,
      String modelName,
      Task task,
      FeatureSpec spec,
      Path modelDir,
      Holdout holdout,
      PrepareTrainingData.Locations out,
      TrainOptions options) {
    logHoldout(parent, holdout);
    parent.logArtifacts(modelDir, "model");
    String metric = holdout.primaryMetric();
    double score = holdout.primary();
    double baseline = holdout.baselinePrimary();
    if (!options.getRegister()) {
      return new Outcome(modelName, null, null, false, "--register=false", score, null, baseline);
    }
    tracking.ensureRegisteredModel(modelName);
    Optional<RegisteredModelVersion> champion = tracking.getVersionByAlias(modelName, CHAMPION);
    Double championScore = null;
    if (champion.isPresent()) {
      ResolvedModel resolved =
          tracking.resolve(ModelUri.parse("models:/" + modelName + "@" + CHAMPION));
      ModelScorer.Scored scored =
          ModelScorer.score(resolved.localPath(), FitLearners.filesOf(out.holdout()), task);
      championScore =
          Evaluation.of(Objective.of(task), scored.predictions(), scored.targets()).get(metric);
    }
    boolean beatsBaseline = Evaluation.better(score, baseline);
    boolean beatsChampion =
        championScore == null
            || Evaluation.betterBy(score, championScore, options.getMinImprovement());
    boolean promoted = beatsBaseline && beatsChampion;
    String reason =
        !beatsBaseline
            ? String.format(
                "%s %.6f does not beat the naive baseline's %.6f", metric, score, baseline)
            : !beatsChampion
                ? String.format(
                    "%s %.6f does not beat champion v%d's %.6f on the same holdout by"
                        + " --minImprovement=%s",
                    metric,
                    score,
                    champion.get().version(),
                    championScore,
                    options.getMinImprovement())
                : champion.isEmpty()
                    ? String.format(
                        "first version; %s %.6f beats the naive baseline's %.6f",
                        metric, score, baseline)
                    : String.format(
                        "%s %.6f beats champion v%d's %.6f on the same holdout (baseline %.6f)",
                        metric, score, champion.get().version(), championScore, baseline);
    String alias = promoted ? CHAMPION : CHALLENGER;
    Map<String, String> tags = new TreeMap<>();
    tags.put("mlops.gate", alias);
    tags.put("mlops.gate_reason", reason);
    tags.put("mlops.metric", metric);
    tags.put("mlops.holdout_" + metric, Double.toString(score));
    tags.put("mlops.baseline_" + metric, Double.toString(baseline));
    tags.put("mlops.feature_columns", Integer.toString(spec.width()));
    champion.ifPresent(c -> tags.put("mlops.previous_champion", Long.toString(c.version())));
    if (championScore != null) {
      tags.put("mlops.champion_" + metric, Double.toString(championScore));
    }
    RegisteredModelVersion version =
        tracking.createModelVersion(
            modelName, parent.artifact("model").toString(), parent.runId(), tags);
    tracking.setAlias(modelName, alias, version.version());
    List<MetricPoint> gate = new ArrayList<>();
    gate.add(MetricPoint.of("gate_score", score));
    gate.add(MetricPoint.of("gate_baseline_score", baseline));
    if (championScore != null) {
      gate.add(MetricPoint.of("gate_champion_score", championScore));
    }
    parent.logBatch(
        Map.of(),
        gate,
        Map.of(
            "mlops.registered_model", modelName,
            "mlops.registered_version", Long.toString(version.version()),
            "mlops.alias", alias,
            "mlops.gate_reason", reason));
    return new Outcome(
        modelName, version.version(), alias, promoted, reason, score, championScore, baseline);
  }

  private static void logHoldout(RunHandle parent, Holdout holdout) {
    List<MetricPoint> metrics = new ArrayList<>();
    holdout.stack().forEach((k, v) -> metrics.add(MetricPoint.of("holdout_" + k, v)));
    holdout.baseline().forEach((k, v) -> metrics.add(MetricPoint.of("baseline_" + k, v)));
    holdout
        .bases()
        .forEach(
            (learner, m) ->
                m.forEach(
                    (k, v) -> metrics.add(MetricPoint.of("holdout_" + learner + "_" + k, v))));
    parent.logBatch(
        Map.of(),
        CrossValidation.finite(metrics),
        Map.of("mlops.stack_vs_best_base", holdout.comparison()));
  }
}
