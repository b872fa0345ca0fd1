package org.beammlops.pipelines.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.features.FeatureSpec;
import org.beammlops.transforms.tracking.MetricPoint;
import org.beammlops.transforms.tracking.ModelUri;
import org.beammlops.transforms.tracking.RegisteredModelVersion;
import org.beammlops.transforms.tracking.ResolvedModel;
import org.beammlops.transforms.tracking.RunHandle;
import org.beammlops.transforms.tracking.TrackingClient;

/**
 * Logs the model and registers it behind the challenger gate. The current champion and the new
 * model are scored, each with its own feature spec and graph, on the rows of <em>this</em> run's
 * holdout that the champion did not train on ({@link FairComparison}); the new version becomes
 * {@code champion} only if it beats the champion there and the naive baseline on the whole holdout,
 * otherwise it becomes {@code challenger}. The version's tags say what it trained on and which rows
 * decided.
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
      Double baselineScore,
      Double gateScore,
      Long gateRows,
      String gateRowsRule) {
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
      out.put("gateScore", gateScore);
      out.put("gateRows", gateRows);
      out.put("gateRowsRule", gateRowsRule);
      return out;
    }
  }

  static Outcome logAndRegister(
      TrackingClient tracking,
      RunHandle parent,
      String modelName,
      UseCase useCase,
      Task task,
      FeatureSpec spec,
      Path modelDir,
      Holdout holdout,
      PrepareTrainingData.Locations out,
      TrainingData trainingData,
      TrainOptions options) {
    logHoldout(parent, holdout);
    parent.logArtifacts(modelDir, "model");
    String metric = holdout.primaryMetric();
    double score = holdout.primary();
    double baseline = holdout.baselinePrimary();
    if (!options.getRegister()) {
      return new Outcome(
          modelName,
          null,
          null,
          false,
          "--register=false",
          score,
          null,
          baseline,
          null,
          null,
          null);
    }
    tracking.ensureRegisteredModel(modelName);
    Optional<RegisteredModelVersion> champion = tracking.getVersionByAlias(modelName, CHAMPION);
    FairComparison fair = null;
    if (champion.isPresent()) {
      ResolvedModel resolved =
          tracking.resolve(ModelUri.parse("models:/" + modelName + "@" + CHAMPION));
      fair =
          FairComparison.of(
              modelDir,
              resolved.localPath(),
              champion.get().version(),
              FitLearners.filesOf(out.holdout()),
              useCase,
              task,
              metric);
    }
    boolean beatsBaseline = Evaluation.better(score, baseline);
    boolean comparable = fair == null || fair.rows() >= options.getMinGateRows();
    boolean beatsChampion =
        fair == null
            || (comparable
                && Evaluation.betterBy(
                    fair.candidateScore(), fair.championScore(), options.getMinImprovement()));
    boolean promoted = beatsBaseline && beatsChampion;
    String reason;
    if (!beatsBaseline) {
      reason =
          String.format("%s %.6f does not beat the naive baseline's %.6f", metric, score, baseline);
    } else if (fair == null) {
      reason =
          String.format(
              "first version; %s %.6f beats the naive baseline's %.6f", metric, score, baseline);
    } else if (!comparable) {
      reason =
          String.format(
              "no fair comparison with champion v%d: only %d holdout rows were seen by neither"
                  + " model (--minGateRows=%d), so the champion stays; hold out data after its"
                  + " training rows (%s), e.g. a later --holdoutFrom or --to",
              champion.get().version(),
              fair.rows(),
              options.getMinGateRows(),
              fair.championDates());
    } else if (!beatsChampion) {
      reason =
          String.format(
              "%s %.6f does not beat champion v%d's %.6f on the %d holdout rows neither trained on"
                  + " by --minImprovement=%s",
              metric,
              fair.candidateScore(),
              champion.get().version(),
              fair.championScore(),
              fair.rows(),
              options.getMinImprovement());
    } else {
      reason =
          String.format(
              "%s %.6f beats champion v%d's %.6f on the %d holdout rows neither trained on"
                  + " (baseline %.6f)",
              metric,
              fair.candidateScore(),
              champion.get().version(),
              fair.championScore(),
              fair.rows(),
              baseline);
    }
    String alias = promoted ? CHAMPION : CHALLENGER;
    Map<String, String> tags = new TreeMap<>(trainingData.tags());
    tags.put("mlops.gate", alias);
    tags.put("mlops.gate_reason", reason);
    tags.put("mlops.metric", metric);
    tags.put("mlops.holdout_" + metric, Double.toString(score));
    tags.put("mlops.baseline_" + metric, Double.toString(baseline));
    tags.put("mlops.feature_columns", Integer.toString(spec.width()));
    champion.ifPresent(c -> tags.put("mlops.previous_champion", Long.toString(c.version())));
    if (fair != null) {
      tags.put("mlops.champion_" + metric, Double.toString(fair.championScore()));
      tags.put("mlops.gate_" + metric, Double.toString(fair.candidateScore()));
      tags.put("mlops.gate_rows", Long.toString(fair.rows()));
      tags.put("mlops.gate_rows_excluded", Long.toString(fair.excluded()));
      tags.put("mlops.gate_rows_rule", fair.rule());
    }
    RegisteredModelVersion version =
        tracking.createModelVersion(
            modelName, parent.artifact("model").toString(), parent.runId(), tags);
    tracking.setAlias(modelName, alias, version.version());
    List<MetricPoint> gate = new ArrayList<>();
    gate.add(MetricPoint.of("gate_score", fair == null ? score : fair.candidateScore()));
    gate.add(MetricPoint.of("gate_baseline_score", baseline));
    if (fair != null) {
      gate.add(MetricPoint.of("gate_champion_score", fair.championScore()));
      gate.add(MetricPoint.of("gate_rows", fair.rows()));
    }
    parent.logBatch(
        Map.of(),
        CrossValidation.finite(gate),
        Map.of(
            "mlops.registered_model", modelName,
            "mlops.registered_version", Long.toString(version.version()),
            "mlops.alias", alias,
            "mlops.gate_reason", reason));
    return new Outcome(
        modelName,
        version.version(),
        alias,
        promoted,
        reason,
        score,
        fair == null ? null : fair.championScore(),
        baseline,
        fair == null ? null : fair.candidateScore(),
        fair == null ? null : fair.rows(),
        fair == null ? null : fair.rule());
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
