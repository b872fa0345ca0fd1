package org.beammlops.pipelines.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.beammlops.transforms.tracking.ArtifactInfo;
import org.beammlops.transforms.tracking.LocalTrackingServer;
import org.beammlops.transforms.tracking.MetricPoint;
import org.beammlops.transforms.tracking.RegisteredModelVersion;
import org.beammlops.transforms.tracking.TrackedRun;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both tasks of the flights use case trained end to end on the committed sample, on the
 * DirectRunner and on FlinkRunner [local], against the real local tracking server over HTTP.
 */
class TrainPipelineIT {
  @TempDir static Path temp;
  private static LocalTrackingServer server;
  private static TrackingClient tracking;

  @BeforeAll
  static void startServer() throws Exception {
    server = LocalTrackingServer.start(temp.resolve("mlruns"));
    tracking = TrackingClient.create(TrackingConfig.builder().trackingUri(server.url()).build());
  }

  @AfterAll
  static void stopServer() throws Exception {
    tracking.close();
    server.close();
  }

  static Stream<Arguments> runsAndTasks() {
    return Stream.of(
        Arguments.of("direct", "delay15"),
        Arguments.of("direct", "delay"),
        Arguments.of("flink", "delay15"),
        Arguments.of("flink", "delay"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("runsAndTasks")
  void trainsOnTheSampleLogsEverythingAndRegisters(String runner, String task) throws Exception {
    String model = "flights-" + task + "-" + runner;
    Path lake = temp.resolve("lake-" + runner + "-" + task);
    Map<String, Object> report =
        TrainPipeline.trainOnce(
            TrainingFixture.options(
                server.url(),
                lake,
                runner.equals("direct") ? TrainingFixture.direct() : TrainingFixture.flink(),
                "--task=" + task,
                "--input=" + TrainingFixture.SAMPLE,
                "--registeredModel=" + model));
    String runId = (String) report.get("runId");
    boolean classification = task.equals("delay15");
    String metric = classification ? "log_loss" : "rmse";

    // Registered as the first version, champion because it beats the naive baseline.
    @SuppressWarnings("unchecked")
    Map<String, Object> registered = (Map<String, Object>) report.get("model");
    assertEquals(1L, registered.get("version"));
    assertEquals("champion", registered.get("alias"));
    RegisteredModelVersion version = tracking.getVersionByAlias(model, "champion").orElseThrow();
    assertEquals(runId, version.runId());
    assertTrue(
        (double) registered.get("score") < (double) registered.get("baselineScore"),
        "a promoted model beats the naive baseline: " + registered);

    // The holdout: stack at least as good as its best base learner, or the report says why.
    @SuppressWarnings("unchecked")
    Map<String, Object> holdout = (Map<String, Object>) report.get("holdout");
    @SuppressWarnings("unchecked")
    Map<String, Double> stack = (Map<String, Double>) holdout.get("stack");
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Double>> bases =
        (Map<String, Map<String, Double>>) holdout.get("bases");
    double bestBase = bases.values().stream().mapToDouble(m -> m.get(metric)).min().orElseThrow();
    String comparison = (String) holdout.get("comparison");
    if (stack.get(metric) > bestBase) {
      assertTrue(
          comparison.contains("worse than") && comparison.contains("because")
              || comparison.contains("generalises"),
          comparison);
    } else {
      assertTrue(comparison.contains("at least as good"), comparison);
    }
    assertTrue(stack.get("onnx_max_diff") <= 1e-5, "ONNX parity on the holdout: " + stack);

    // The parent run: params, data sizes, locations, git commit, holdout metrics, timings.
    TrackedRun parent = tracking.getRun(runId);
    assertEquals(task, parent.params().get("task"));
    assertEquals("3", parent.params().get("folds"));
    assertTrue(parent.params().get("training_set").endsWith("/training/" + runId + "/train"));
    assertTrue(parent.tags().get("mlflow.source.git.commit").matches("[0-9a-f]{40}|unknown"));
    for (String key :
        classification
            ? List.of(
                "holdout_roc_auc",
                "holdout_log_loss",
                "holdout_accuracy",
                "holdout_precision",
                "holdout_recall",
                "holdout_f1",
                "holdout_brier",
                "baseline_log_loss")
            : List.of("holdout_rmse", "holdout_mae", "holdout_r2", "baseline_rmse")) {
      assertTrue(parent.metrics().containsKey(key), key + " in " + parent.metrics().keySet());
    }
    for (String key :
        List.of(
            "rows_trainRows",
            "rows_holdoutRows",
            "stage_prepare_seconds",
            "stage_cross_validate_seconds",
            "stage_refit_seconds",
            "total_seconds",
            "learner_fit_seconds_sum",
            "holdout_gbt_" + metric,
            "gate_score")) {
      assertTrue(parent.metrics().containsKey(key), key + " in " + parent.metrics().keySet());
    }
    long trainRows = parent.metrics().get("rows_trainRows").longValue();
    long holdoutRows = parent.metrics().get("rows_holdoutRows").longValue();
    assertTrue(trainRows > 50_000 && holdoutRows > 10_000, trainRows + " / " + holdoutRows);

    // Nested runs: each base learner and each search trial, with per-fold CV metrics.
    List<TrackedRun> children =
        tracking.searchRuns(
            List.of(parent.experimentId()), "tags.mlflow.parentRunId = '" + runId + "'", 100);
    Set<String> names = children.stream().map(TrackedRun::runName).collect(Collectors.toSet());
    assertEquals(Set.of("linear", "gbt", "rf", "gbt-trial-0", "gbt-trial-1"), names);
    TrackedRun gbt =
        children.stream().filter(r -> r.runName().equals("gbt")).findFirst().orElseThrow();
    assertTrue(gbt.params().containsKey("max_depth") && gbt.params().containsKey("selected_from"));
    for (String key :
        List.of(
            "cv_" + metric + "_mean",
            "cv_" + metric + "_std",
            "holdout_" + metric,
            "refit_seconds",
            "cv_fit_seconds_total")) {
      assertTrue(gbt.metrics().containsKey(key), key + " in " + gbt.metrics().keySet());
    }
    List<MetricPoint> perFold = tracking.metricHistory(gbt.runId(), "cv_" + metric);
    assertEquals(
        Set.of(0L, 1L, 2L), perFold.stream().map(MetricPoint::step).collect(Collectors.toSet()));

    // The model directory: MLmodel with both flavors and a signature, the spec and the profile.
    Set<String> files =
        tracking.listArtifacts(runId, "model").stream()
            .map(ArtifactInfo::path)
            .collect(Collectors.toSet());
    for (String f :
        List.of(
            "model/MLmodel",
            "model/model.onnx",
            "model/feature_spec.json",
            "model/reference_profile.json")) {
      assertTrue(files.contains(f), f + " in " + files);
    }
    Path copy =
        tracking.downloadArtifacts(
            runId, "model/MLmodel", temp.resolve("MLmodel-" + runner + task));
    JsonNode mlmodel = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(copy));
    assertTrue(mlmodel.path("flavors").has("onnx"), mlmodel.toString());
    assertTrue(mlmodel.path("flavors").has("python_function"), mlmodel.toString());
    assertTrue(
        mlmodel.path("signature").path("inputs").asText().contains("features"), mlmodel.toString());
    if (classification) {
      // the decision threshold, tuned on out-of-fold predictions, is in the run and in the model
      double threshold = Double.parseDouble(parent.params().get("decision_threshold"));
      assertTrue(threshold > 0 && threshold < 1, "threshold " + threshold);
      assertEquals("f1_optimal_out_of_fold", parent.params().get("decision_threshold_source"));
      assertEquals(
          threshold,
          Double.parseDouble(mlmodel.path("metadata").path("decision_threshold").asText()));
    } else {
      assertFalse(parent.params().containsKey("decision_threshold"));
    }

    // The training and holdout sets are exported to the lake.
    Path exported = lake.resolve("flights/training/" + runId);
    assertTrue(
        Files.isDirectory(exported.resolve("train"))
            && Files.isDirectory(exported.resolve("holdout")));
    assertFalse(FitLearners.filesOf(exported.resolve("holdout").toString()).isEmpty());
  }
}
