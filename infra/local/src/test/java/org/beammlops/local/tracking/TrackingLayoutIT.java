package org.beammlops.local.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service.CreateExperiment;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.ExperimentTag;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.tracking.MlflowClient;
import org.yaml.snakeyaml.Yaml;

/**
 * After a scripted sequence of calls, the store folder is what MLflow's own file store writes for
 * the same calls: the same tree and, in every meta.yaml, the same fields. The field lists come from
 * MLflow's sources: {@code mlflow/store/tracking/file_store.py} (experiment: {@code
 * dict(Experiment)} less tags; run: {@code _make_persisted_run_info_dict}, i.e. the {@code RunInfo}
 * properties plus {@code tags}, {@code source_*} and {@code entry_point_name}; {@code deleted_time}
 * only once deleted) and {@code mlflow/store/model_registry/file_store.py} (model: {@code
 * dict(RegisteredModel)} less tags and latest_versions; version: {@code dict(FileModelVersion)}
 * less tags).
 */
class TrackingLayoutIT {
  static final Set<String> EXPERIMENT_FIELDS =
      Set.of(
          "artifact_location",
          "creation_time",
          "experiment_id",
          "last_update_time",
          "lifecycle_stage",
          "name");
  static final Set<String> RUN_FIELDS =
      Set.of(
          "artifact_uri",
          "end_time",
          "entry_point_name",
          "experiment_id",
          "lifecycle_stage",
          "run_id",
          "run_name",
          "run_uuid",
          "source_name",
          "source_type",
          "source_version",
          "start_time",
          "status",
          "tags",
          "user_id");
  static final Set<String> MODEL_FIELDS =
      Set.of("aliases", "creation_timestamp", "description", "last_updated_timestamp", "name");
  static final Set<String> VERSION_FIELDS =
      Set.of(
          "aliases",
          "creation_timestamp",
          "current_stage",
          "description",
          "last_updated_timestamp",
          "name",
          "run_id",
          "run_link",
          "source",
          "status",
          "status_message",
          "storage_location",
          "user_id",
          "version");

  @Test
  void scriptedSequenceLeavesMlflowsFileStoreLayout(@TempDir Path root) throws IOException {
    String e;
    String parent;
    String child;
    try (TrackingHttpServer server = TrackingHttpServer.start(TrackingServerConfig.local(root, 0));
        MlflowClient client = new MlflowClient(server.url())) {
      TrackingHttp http = new TrackingHttp(server.url() + "/api/2.0/mlflow");
      e =
          client.createExperiment(
              CreateExperiment.newBuilder()
                  .setName("layout")
                  .addTags(ExperimentTag.newBuilder().setKey("team").setValue("ml"))
                  .build());
      client.setExperimentTag(e, "stage", "dev");
      parent =
          client
              .createRun(
                  CreateRun.newBuilder()
                      .setExperimentId(e)
                      .setRunName("parent")
                      .setUserId("alice")
                      .setStartTime(1_700_000_000_000L)
                      .build())
              .getRunId();
      child =
          client
              .createRun(
                  CreateRun.newBuilder()
                      .setExperimentId(e)
                      .setRunName("child")
                      .setUserId("alice")
                      .setStartTime(1_700_000_001_000L)
                      .addTags(RunTag.newBuilder().setKey("mlflow.parentRunId").setValue(parent))
                      .build())
              .getRunId();
      for (int step = 0; step < 3; step++) {
        client.logMetric(child, "loss", 1.0 / (step + 1), 1_700_000_002_000L + step, step);
      }
      client.logMetric(child, "val/acc", 0.75, 1_700_000_003_000L, 2);
      client.logMetric(parent, "best_loss", 1.0 / 3, 1_700_000_004_000L, 0);
      client.logParam(child, "lr", "0.1");
      client.setTag(child, "team", "ml");
      new TrackingHttp(server.url() + "/api/2.0/mlflow-artifacts/artifacts")
          .put(
              "/" + e + "/" + child + "/artifacts/model/MLmodel",
              HttpRequest.BodyPublishers.ofString("flavors:\n  onnx: {}\n"));
      client.setTerminated(child, RunStatus.FINISHED, 1_700_000_005_000L);

      String source = "mlflow-artifacts:/" + e + "/" + child + "/artifacts/model";
      http.post("/registered-models/create", "{\"name\":\"layout-model\"}");
      http.post(
          "/registered-models/set-tag",
          "{\"name\":\"layout-model\",\"key\":\"use_case\",\"value\":\"flights\"}");
      for (int i = 0; i < 2; i++) {
        http.post(
            "/model-versions/create",
            "{\"name\":\"layout-model\",\"source\":\""
                + source
                + "\",\"run_id\":\""
                + child
                + "\"}");
      }
      http.post(
          "/registered-models/alias",
          "{\"name\":\"layout-model\",\"alias\":\"champion\",\"version\":\"2\"}");
    }

    Path mlruns = root.resolve("mlruns");
    Set<String> expected =
        new TreeSet<>(
            List.of(
                ".trash/",
                "0/",
                "0/meta.yaml",
                e + "/",
                e + "/meta.yaml",
                e + "/tags/",
                e + "/tags/team",
                e + "/tags/stage",
                e + "/" + parent + "/",
                e + "/" + parent + "/meta.yaml",
                e + "/" + parent + "/artifacts/",
                e + "/" + parent + "/params/",
                e + "/" + parent + "/metrics/",
                e + "/" + parent + "/metrics/best_loss",
                e + "/" + parent + "/tags/",
                e + "/" + parent + "/tags/mlflow.runName",
                e + "/" + child + "/",
                e + "/" + child + "/meta.yaml",
                e + "/" + child + "/artifacts/",
                e + "/" + child + "/artifacts/model/",
                e + "/" + child + "/artifacts/model/MLmodel",
                e + "/" + child + "/metrics/",
                e + "/" + child + "/metrics/loss",
                e + "/" + child + "/metrics/val/",
                e + "/" + child + "/metrics/val/acc",
                e + "/" + child + "/params/",
                e + "/" + child + "/params/lr",
                e + "/" + child + "/tags/",
                e + "/" + child + "/tags/mlflow.runName",
                e + "/" + child + "/tags/mlflow.parentRunId",
                e + "/" + child + "/tags/team",
                "models/",
                "models/layout-model/",
                "models/layout-model/meta.yaml",
                "models/layout-model/tags/",
                "models/layout-model/tags/use_case",
                "models/layout-model/aliases/",
                "models/layout-model/aliases/champion",
                "models/layout-model/version-1/",
                "models/layout-model/version-1/meta.yaml",
                "models/layout-model/version-2/",
                "models/layout-model/version-2/meta.yaml"));
    assertEquals(expected, tree(mlruns));

    // Experiments: dict(Experiment) without tags, which live in tags/<key>.
    Map<String, Object> defaultExperiment = yaml(mlruns.resolve("0/meta.yaml"));
    assertEquals(EXPERIMENT_FIELDS, defaultExperiment.keySet());
    assertEquals("0", defaultExperiment.get("experiment_id"));
    assertEquals("Default", defaultExperiment.get("name"));
    assertEquals("mlflow-artifacts:/0", defaultExperiment.get("artifact_location"));
    Map<String, Object> experiment = yaml(mlruns.resolve(e + "/meta.yaml"));
    assertEquals(EXPERIMENT_FIELDS, experiment.keySet());
    assertEquals(e, experiment.get("experiment_id"));
    assertEquals("layout", experiment.get("name"));
    assertEquals("active", experiment.get("lifecycle_stage"));
    assertEquals("mlflow-artifacts:/" + e, experiment.get("artifact_location"));
    assertTrue(experiment.get("creation_time") instanceof Long);
    assertEquals(experiment.get("creation_time"), experiment.get("last_update_time"));
    assertEquals("ml", Files.readString(mlruns.resolve(e + "/tags/team")));
    assertTrue(
        Files.readString(mlruns.resolve(e + "/meta.yaml")).contains("experiment_id: '" + e + "'\n"),
        "ids are quoted strings, as PyYAML writes them");

    // MLflow's create_run sets the mlflow.runName tag, which rewrites meta.yaml without the
    // deleted_time it first wrote; only a deleted run has one.
    Map<String, Object> parentMeta = yaml(mlruns.resolve(e + "/" + parent + "/meta.yaml"));
    assertEquals(RUN_FIELDS, parentMeta.keySet());
    assertNull(parentMeta.get("end_time"));
    assertEquals(1, parentMeta.get("status")); // RunStatus.RUNNING
    assertEquals(4, parentMeta.get("source_type")); // SourceType.LOCAL
    assertEquals("", parentMeta.get("source_name"));
    assertEquals("", parentMeta.get("entry_point_name"));
    assertEquals("", parentMeta.get("source_version"));
    assertEquals(List.of(), parentMeta.get("tags"));
    assertEquals("parent", parentMeta.get("run_name"));
    assertEquals(parent, parentMeta.get("run_id"));
    assertEquals(parent, parentMeta.get("run_uuid"));
    assertEquals(e, parentMeta.get("experiment_id"));
    assertEquals("alice", parentMeta.get("user_id"));
    assertEquals(1_700_000_000_000L, ((Number) parentMeta.get("start_time")).longValue());
    assertEquals("active", parentMeta.get("lifecycle_stage"));
    assertEquals(
        "mlflow-artifacts:/" + e + "/" + parent + "/artifacts", parentMeta.get("artifact_uri"));
    Map<String, Object> childMeta = yaml(mlruns.resolve(e + "/" + child + "/meta.yaml"));
    assertEquals(RUN_FIELDS, childMeta.keySet());
    assertEquals(3, childMeta.get("status")); // RunStatus.FINISHED
    assertEquals(1_700_000_005_000L, ((Number) childMeta.get("end_time")).longValue());

    Path childDir = mlruns.resolve(e).resolve(child);
    assertEquals(
        List.of("1700000002000 1.0 0", "1700000002001 0.5 1", "1700000002002 0.3333333333333333 2"),
        Files.readAllLines(childDir.resolve("metrics/loss")));
    assertEquals("0.1", Files.readString(childDir.resolve("params/lr")));
    assertEquals(parent, Files.readString(childDir.resolve("tags/mlflow.parentRunId")));
    assertEquals("child", Files.readString(childDir.resolve("tags/mlflow.runName")));
    assertEquals(
        "flavors:\n  onnx: {}\n", Files.readString(childDir.resolve("artifacts/model/MLmodel")));

    // Registry: the model's meta.yaml caches its aliases; versions keep theirs as written.
    Path model = mlruns.resolve("models/layout-model");
    Map<String, Object> modelMeta = yaml(model.resolve("meta.yaml"));
    assertEquals(MODEL_FIELDS, modelMeta.keySet());
    assertEquals("layout-model", modelMeta.get("name"));
    assertEquals(Map.of("champion", "2"), modelMeta.get("aliases"));
    assertEquals("", modelMeta.get("description"));
    assertTrue(
        ((Number) modelMeta.get("last_updated_timestamp")).longValue()
            >= ((Number) modelMeta.get("creation_timestamp")).longValue());
    assertEquals("2", Files.readString(model.resolve("aliases/champion")));
    assertEquals("flights", Files.readString(model.resolve("tags/use_case")));
    String source = "mlflow-artifacts:/" + e + "/" + child + "/artifacts/model";
    for (int version = 1; version <= 2; version++) {
      Map<String, Object> meta = yaml(model.resolve("version-" + version + "/meta.yaml"));
      assertEquals(VERSION_FIELDS, meta.keySet());
      assertEquals(version, meta.get("version"));
      assertEquals("layout-model", meta.get("name"));
      assertEquals("None", meta.get("current_stage"));
      assertEquals("READY", meta.get("status"));
      assertNull(meta.get("status_message"));
      assertNull(meta.get("user_id"));
      assertEquals(source, meta.get("source"));
      assertEquals(source, meta.get("storage_location"));
      assertEquals(child, meta.get("run_id"));
      assertEquals("", meta.get("run_link"));
      assertEquals("", meta.get("description"));
      assertEquals(List.of(), meta.get("aliases"));
    }

    // Keys are written sorted, like PyYAML's sort_keys=True.
    for (Path meta :
        List.of(
            mlruns.resolve(e + "/meta.yaml"),
            childDir.resolve("meta.yaml"),
            model.resolve("meta.yaml"),
            model.resolve("version-1/meta.yaml"))) {
      List<String> keys =
          Files.readAllLines(meta).stream()
              .filter(line -> !line.startsWith(" ") && !line.startsWith("-") && line.contains(":"))
              .map(line -> line.substring(0, line.indexOf(':')))
              .toList();
      List<String> sorted = new ArrayList<>(keys);
      sorted.sort(null);
      assertEquals(sorted, keys, meta.toString());
    }
  }

  private static Set<String> tree(Path dir) throws IOException {
    Set<String> entries = new TreeSet<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(p -> !p.equals(dir))
          .forEach(
              p ->
                  entries.add(
                      dir.relativize(p).toString().replace('\\', '/')
                          + (Files.isDirectory(p) ? "/" : "")));
    }
    return entries;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(Path file) throws IOException {
    Map<String, Object> map = (Map<String, Object>) new Yaml().load(Files.readString(file));
    // Normalise ints to the numbers MLflow's YAML holds (SnakeYAML reads small ones as Integer).
    map.replaceAll(
        (k, v) ->
            v instanceof Integer i && (k.endsWith("time") || k.endsWith("timestamp"))
                ? (Object) i.longValue()
                : v instanceof Long l && !(k.endsWith("time") || k.endsWith("timestamp"))
                    ? (Object) l.intValue()
                    : v);
    return map;
  }
}
