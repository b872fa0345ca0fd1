package org.beammlops.transforms.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.beammlops.transforms.model.ColumnType;
import org.beammlops.transforms.model.MlflowModel;
import org.beammlops.transforms.model.MlflowModelReader;
import org.beammlops.transforms.model.MlflowModelWriter;
import org.beammlops.transforms.model.ModelSchema;
import org.beammlops.transforms.model.ModelSignature;
import org.beammlops.transforms.model.SchemaSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end against the project's real local tracking server (infra/local), started in its own
 * JVM: experiments, nested runs, params, metrics, tags, batches, artifacts of a model written by
 * {@link MlflowModelWriter}, the registry, an alias, and {@code models:/<name>@champion} resolved
 * to a local copy read back by {@link MlflowModelReader}.
 */
class TrackingClientIT {
  private static final byte[] ONNX = {0x08, 0x07, 0x12, 0x06, 'f', 'l', 'i', 'g', 'h', 't'};
  private static final ModelSignature SIGNATURE =
      new ModelSignature(
          ModelSchema.of(
              SchemaSpec.Column.of("distance", ColumnType.DOUBLE),
              SchemaSpec.Column.of("origin", ColumnType.STRING)),
          ModelSchema.of(SchemaSpec.Tensor.of(null, "float32", -1, 1)));

  @TempDir static Path tmp;
  private static LocalTrackingServer server;
  private static TrackingClient client;

  @BeforeAll
  static void startServer() throws Exception {
    server = LocalTrackingServer.start(Files.createDirectories(tmp.resolve("store")));
    client =
        TrackingClient.create(
            TrackingConfig.fromEnvironment(Map.of("MLFLOW_TRACKING_URI", server.url())).toBuilder()
                .cacheDir(tmp.resolve("cache"))
                .retryPolicy(new RetryPolicy(3, Duration.ofMillis(50), Duration.ofMillis(200)))
                .build());
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void experimentsRunsAndMetrics() throws Exception {
    String experimentId = client.getOrCreateExperiment("flights-runs");
    assertEquals(experimentId, client.getOrCreateExperiment("flights-runs"));
    assertEquals(experimentId, client.findExperimentId("flights-runs").orElseThrow());
    assertTrue(client.findExperimentId("no-such-experiment").isEmpty());

    try (RunHandle parent = client.startRun(experimentId, "train", Map.of("use_case", "flights"))) {
      RunHandle xgb = parent.startChildRun("xgboost", Map.of("learner", "xgboost"));
      RunHandle tribuo = client.startNestedRun(parent.runId(), "tribuo", Map.of());
      assertEquals(experimentId, tribuo.experimentId());

      xgb.logParam("max_depth", "6")
          .logMetric("rmse", 12.5, 0)
          .logMetric("rmse", 11.25, 1)
          .logMetric(new MetricPoint("rmse", 10.0, 1_700_000_000_000L, 2))
          .logMetric("nan_metric", Double.NaN)
          .setTag("stage", "candidate");

      Map<String, String> params = new LinkedHashMap<>();
      for (int i = 0; i < 150; i++) {
        params.put("p" + i, Integer.toString(i));
      }
      List<MetricPoint> losses = new ArrayList<>();
      for (int step = 0; step < 1200; step++) {
        losses.add(new MetricPoint("loss", 1.0 / (step + 1), 1_700_000_000_000L + step, step));
      }
      tribuo.logBatch(params, losses, Map.of("batch", "yes"));
      tribuo.logParams(Map.of("extra", "1"));

      xgb.finish();
      tribuo.fail();

      TrackedRun xgbRun = client.getRun(xgb.runId());
      assertEquals(RunStatus.FINISHED, xgbRun.status());
      assertTrue(xgbRun.endTimeMillis() > 0);
      assertEquals(parent.runId(), xgbRun.parentRunId().orElseThrow());
      assertEquals("xgboost", xgbRun.runName());
      assertEquals("6", xgbRun.params().get("max_depth"));
      assertEquals(10.0, xgbRun.metrics().get("rmse"));
      assertTrue(Double.isNaN(xgbRun.metrics().get("nan_metric")));
      assertEquals("candidate", xgbRun.tags().get("stage"));
      assertEquals("xgboost", xgbRun.tags().get("learner"));
      assertEquals(
          List.of(12.5, 11.25, 10.0),
          client.metricHistory(xgb.runId(), "rmse").stream().map(MetricPoint::value).toList());
      assertEquals(
          List.of(0L, 1L, 2L),
          client.metricHistory(xgb.runId(), "rmse").stream().map(MetricPoint::step).toList());

      TrackedRun tribuoRun = client.getRun(tribuo.runId());
      assertEquals(RunStatus.FAILED, tribuoRun.status());
      assertEquals(151, tribuoRun.params().size());
      assertEquals("yes", tribuoRun.tags().get("batch"));
      List<MetricPoint> history = client.metricHistory(tribuo.runId(), "loss");
      assertEquals(1200, history.size());
      assertEquals(
          Set.of(0L, 599L, 1199L),
          history.stream()
              .map(MetricPoint::step)
              .filter(s -> s == 0 || s == 599 || s == 1199)
              .collect(Collectors.toSet()));

      List<TrackedRun> children =
          client.searchRuns(
              List.of(experimentId), "tags.mlflow.parentRunId = '" + parent.runId() + "'", 100);
      assertEquals(
          Set.of(xgb.runId(), tribuo.runId()),
          children.stream().map(TrackedRun::runId).collect(Collectors.toSet()));

      assertEquals(RunStatus.RUNNING, client.getRun(parent.runId()).status());
      parent.finish();
    }

    // A run left by an exception ends FAILED, not RUNNING.
    String leftId;
    try (RunHandle left = client.startRun(experimentId, "crashes")) {
      leftId = left.runId();
    }
    assertEquals(RunStatus.FAILED, client.getRun(leftId).status());
  }

  @Test
  void modelArtifactsRegistryAndAliasResolution() throws Exception {
    String experimentId = client.getOrCreateExperiment("flights-registry");
    Path modelDir =
        MlflowModelWriter.builder()
            .onnxModel(ONNX)
            .signature(SIGNATURE)
            .extraJson(
                MlflowModel.FEATURE_SPEC,
                new ObjectMapper().readTree("{\"features\": [\"distance\", \"origin\"]}"))
            .extraFile(
                MlflowModel.REFERENCE_PROFILE, "{\"rows\": 1000}".getBytes(StandardCharsets.UTF_8))
            .write(tmp.resolve("model-out"))
            .directory();

    String runId;
    try (RunHandle run = client.startRun(experimentId, "train")) {
      runId = run.runId();
      assertTrue(run.artifactUri().startsWith("mlflow-artifacts:"), run.artifactUri());
      run.logArtifacts(modelDir, "model");
      run.logArtifact(Files.writeString(tmp.resolve("report.json"), "{}"), "eval");

      assertEquals(
          List.of(new ArtifactInfo("eval", true, -1), new ArtifactInfo("model", true, -1)),
          sorted(run.listArtifacts("")));
      List<ArtifactInfo> files = sorted(run.listArtifacts("model"));
      assertEquals(
          List.of(
              "model/MLmodel",
              "model/conda.yaml",
              "model/feature_spec.json",
              "model/model.onnx",
              "model/python_env.yaml",
              "model/reference_profile.json",
              "model/requirements.txt"),
          files.stream().map(ArtifactInfo::path).toList());
      assertEquals(
          ONNX.length,
          files.stream()
              .filter(f -> f.path().endsWith(".onnx"))
              .findFirst()
              .orElseThrow()
              .fileSize());

      Path downloaded = run.downloadArtifacts("model", tmp.resolve("downloaded"));
      assertEquals(
          MlflowModelReader.read(modelDir).signature(),
          MlflowModelReader.read(downloaded).signature());
      run.finish();
    }

    String name = "flights-it";
    assertTrue(client.ensureRegisteredModel(name));
    assertFalse(client.ensureRegisteredModel(name));
    RegisteredModelVersion v1 =
        client.createModelVersion(name, "runs:/" + runId + "/model", runId, Map.of("auc", "0.81"));
    assertEquals(1, v1.version());
    assertEquals("READY", v1.status());
    assertEquals(runId, v1.runId());
    RegisteredModelVersion v2 =
        client.createModelVersion(name, "runs:/" + runId + "/model", runId, Map.of());
    assertEquals(2, v2.version());

    assertTrue(client.getVersionByAlias(name, "champion").isEmpty());
    client.setAlias(name, "champion", 1);
    RegisteredModelVersion champion = client.getVersionByAlias(name, "champion").orElseThrow();
    assertEquals(1, champion.version());
    assertTrue(champion.aliases().contains("champion"), champion.toString());
    assertEquals("0.81", champion.tags().get("auc"));

    ResolvedModel resolved = client.resolve(ModelUri.parse("models:/" + name + "@champion"));
    assertEquals(1, resolved.version().version());
    MlflowModel local = MlflowModelReader.read(resolved.localPath());
    assertArrayEquals(ONNX, Files.readAllBytes(local.modelOnnx()));
    assertEquals(SIGNATURE, local.signature());
    assertEquals("{\"rows\": 1000}", Files.readString(local.referenceProfile().orElseThrow()));
    assertTrue(Files.readString(local.featureSpec().orElseThrow()).contains("\"distance\""));
    assertEquals(resolved.localPath(), client.localCopy("models:/" + name + "/1"));

    // The alias moves: the next resolution follows it.
    client.setAlias(name, "champion", 2);
    ResolvedModel moved = client.resolve(ModelUri.parse("models:/" + name + "@champion"));
    assertEquals(2, moved.version().version());
    assertFalse(moved.localPath().equals(resolved.localPath()));
    assertArrayEquals(
        ONNX, Files.readAllBytes(MlflowModelReader.read(moved.localPath()).modelOnnx()));

    Path runCopy = client.localCopy("runs:/" + runId + "/model");
    assertArrayEquals(ONNX, Files.readAllBytes(MlflowModelReader.read(runCopy).modelOnnx()));
    Path singleFile = client.localCopy("runs:/" + runId + "/model/model.onnx");
    assertEquals("model.onnx", singleFile.getFileName().toString());
    assertArrayEquals(ONNX, Files.readAllBytes(singleFile));
    TrackingException noArtifact =
        assertThrows(TrackingException.class, () -> client.localCopy("runs:/" + runId + "/nope"));
    assertTrue(noArtifact.getMessage().contains("No artifacts at"), noArtifact.getMessage());

    client.setModelVersionTag(name, 2, "validated", "true");
    client.setRegisteredModelTag(name, "owner", "mlops");
    RegisteredModelVersion described =
        client.updateModelVersionDescription(name, 2, "beats version 1 on the holdout");
    assertEquals("beats version 1 on the holdout", described.description());
    List<RegisteredModelVersion> versions = client.searchModelVersions("name='" + name + "'", 100);
    assertEquals(
        Set.of(1L, 2L),
        versions.stream().map(RegisteredModelVersion::version).collect(Collectors.toSet()));
    assertEquals(
        "true",
        versions.stream()
            .filter(v -> v.version() == 2)
            .findFirst()
            .orElseThrow()
            .tags()
            .get("validated"));

    client.deleteAlias(name, "champion");
    assertTrue(client.getVersionByAlias(name, "champion").isEmpty());
    TrackingException gone =
        assertThrows(
            TrackingException.class, () -> client.localCopy("models:/" + name + "@champion"));
    assertTrue(gone.isNotFound(), gone.getMessage());
    TrackingException noVersion =
        assertThrows(TrackingException.class, () -> client.getModelVersion(name, 99));
    assertTrue(noVersion.isNotFound(), noVersion.getMessage());
  }

  private static List<ArtifactInfo> sorted(List<ArtifactInfo> infos) {
    List<ArtifactInfo> out = new ArrayList<>(infos);
    out.sort((a, b) -> a.path().compareTo(b.path()));
    return out;
  }
}
