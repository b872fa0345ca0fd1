package org.beammlops.local.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.ModelRegistry.ModelVersion;
import org.mlflow.api.proto.ModelRegistry.RegisteredModel;
import org.mlflow.api.proto.Service.CreateExperiment;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Experiment;
import org.mlflow.api.proto.Service.ExperimentTag;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.api.proto.Service.ViewType;
import org.mlflow.tracking.ExperimentsPage;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.RunsPage;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;

/**
 * Every operation of MLflow's REST API this server implements, driven by the real {@code
 * org.mlflow.tracking.MlflowClient} 2.17.2 where it has the call, by raw HTTP where it does not.
 */
class TrackingApiIT {
  @TempDir static Path root;
  static TrackingHttpServer server;
  static MlflowClient client;
  static TrackingHttp http;
  static TrackingHttp artifacts;

  @BeforeAll
  static void start() {
    server = TrackingHttpServer.start(TrackingServerConfig.local(root, 0));
    client = new MlflowClient(server.url());
    http = new TrackingHttp(server.url() + "/api/2.0/mlflow");
    artifacts = new TrackingHttp(server.url() + "/api/2.0/mlflow-artifacts/artifacts");
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  @Test
  void routesAreMlflowsOwn() {
    List<String> endpoints = server.endpoints();
    assertEquals(49, endpoints.size(), endpoints.toString());
    for (String endpoint :
        List.of(
            "GET /mlflow/registered-models/alias",
            "POST /mlflow/registered-models/alias",
            "DELETE /mlflow/registered-models/alias",
            "PATCH /mlflow/model-versions/update",
            "GET /mlflow/metrics/get-history",
            "POST /mlflow/runs/log-batch",
            "PUT /mlflow-artifacts/artifacts/<path>")) {
      assertTrue(endpoints.contains(endpoint), endpoint);
    }
  }

  @Test
  void experimentsCreateGetSearchRenameTagDeleteRestore() {
    String id =
        client.createExperiment(
            CreateExperiment.newBuilder()
                .setName("api-exp")
                .addTags(ExperimentTag.newBuilder().setKey("team").setValue("ml"))
                .build());
    Experiment experiment = client.getExperiment(id);
    assertEquals("api-exp", experiment.getName());
    assertEquals("mlflow-artifacts:/" + id, experiment.getArtifactLocation());
    assertEquals("active", experiment.getLifecycleStage());
    assertTrue(experiment.getCreationTime() > 0);
    assertEquals(experiment.getCreationTime(), experiment.getLastUpdateTime());
    assertEquals("ml", tag(experiment, "team"));
    assertEquals(id, client.getExperimentByName("api-exp").orElseThrow().getExperimentId());
    assertEquals(Optional.empty(), client.getExperimentByName("no-such-experiment"));

    client.setExperimentTag(id, "stage", "dev");
    client.renameExperiment(id, "api-exp-renamed");
    experiment = client.getExperiment(id);
    assertEquals("api-exp-renamed", experiment.getName());
    assertEquals("dev", tag(experiment, "stage"));
    assertTrue(experiment.getLastUpdateTime() >= experiment.getCreationTime());

    ExperimentsPage page =
        client.searchExperiments("name LIKE 'api-exp%'", ViewType.ACTIVE_ONLY, 10, List.of());
    assertEquals(List.of(id), ids(page.getItems()));
    assertEquals(List.of(id), ids(client.searchExperiments("tags.stage = 'dev'").getItems()));

    client.deleteExperiment(id);
    assertEquals("deleted", client.getExperiment(id).getLifecycleStage());
    assertFalse(ids(client.searchExperiments().getItems()).contains(id));
    assertTrue(
        ids(client.searchExperiments("", ViewType.DELETED_ONLY, 100, List.of()).getItems())
            .contains(id));
    client.restoreExperiment(id);
    assertEquals("active", client.getExperiment(id).getLifecycleStage());
    assertTrue(ids(client.searchExperiments().getItems()).contains("0"));
  }

  @Test
  void searchExperimentsPagesAndOrders() {
    for (int i = 0; i < 5; i++) {
      client.createExperiment("page-exp-" + i);
    }
    List<String> names = new ArrayList<>();
    ExperimentsPage page =
        client.searchExperiments("name LIKE 'page-exp-%'", ViewType.ALL, 2, List.of("name DESC"));
    while (true) {
      page.getItems().forEach(e -> names.add(e.getName()));
      if (!page.hasNextPage()) {
        break;
      }
      page = (ExperimentsPage) page.getNextPage();
    }
    assertEquals(
        List.of("page-exp-4", "page-exp-3", "page-exp-2", "page-exp-1", "page-exp-0"), names);
  }

  @Test
  void runsLogAndReadBack() {
    String experimentId = client.createExperiment("runs-exp");
    RunInfo info =
        client.createRun(
            CreateRun.newBuilder()
                .setExperimentId(experimentId)
                .setRunName("parent")
                .setStartTime(1_700_000_000_000L)
                .setUserId("alice")
                .addTags(RunTag.newBuilder().setKey("team").setValue("ml"))
                .build());
    String runId = info.getRunId();
    assertEquals(runId, info.getRunUuid());
    assertEquals("parent", info.getRunName());
    assertEquals(RunStatus.RUNNING, info.getStatus());
    assertEquals("alice", info.getUserId());
    assertEquals(
        "mlflow-artifacts:/" + experimentId + "/" + runId + "/artifacts", info.getArtifactUri());

    client.logParam(runId, "lr", "0.1");
    client.logParam(runId, "lr", "0.1"); // the same value again is fine
    client.logMetric(runId, "loss", 0.9, 1000, 0);
    client.logMetric(runId, "loss", 0.5, 2000, 1);
    client.logMetric(runId, "loss", 0.7, 1500, 1); // same step, older: not the latest
    client.setTag(runId, "note", "keep");
    client.setTag(runId, "drop", "me");
    client.deleteTag(runId, "drop");
    client.logBatch(
        runId,
        List.of(
            Metric.newBuilder().setKey("acc").setValue(0.8).setTimestamp(3000).setStep(2).build(),
            Metric.newBuilder().setKey("acc").setValue(0.85).setTimestamp(4000).setStep(3).build()),
        List.of(Param.newBuilder().setKey("depth").setValue("6").build()),
        List.of(RunTag.newBuilder().setKey("batch").setValue("yes").build()));

    Run run = client.getRun(runId);
    assertEquals(Map.of("lr", "0.1", "depth", "6"), params(run));
    assertEquals(0.5, metric(run, "loss").getValue());
    assertEquals(1, metric(run, "loss").getStep());
    assertEquals(0.85, metric(run, "acc").getValue());
    Map<String, String> tags = tags(run);
    assertEquals("keep", tags.get("note"));
    assertEquals("ml", tags.get("team"));
    assertEquals("yes", tags.get("batch"));
    assertEquals("parent", tags.get("mlflow.runName"));
    assertFalse(tags.containsKey("drop"));

    List<Metric> history = client.getMetricHistory(runId, "loss");
    assertEquals(List.of(0.9, 0.5, 0.7), history.stream().map(Metric::getValue).toList());
    assertEquals(List.of(0L, 1L, 1L), history.stream().map(Metric::getStep).toList());
    assertEquals(List.of(), client.getMetricHistory(runId, "never-logged"));

    client.setTerminated(runId, RunStatus.FINISHED, 1_700_000_100_000L);
    run = client.getRun(runId);
    assertEquals(RunStatus.FINISHED, run.getInfo().getStatus());
    assertEquals(1_700_000_100_000L, run.getInfo().getEndTime());

    client.setTag(runId, "mlflow.runName", "renamed");
    assertEquals("renamed", client.getRun(runId).getInfo().getRunName());

    client.deleteRun(runId);
    assertEquals("deleted", client.getRun(runId).getInfo().getLifecycleStage());
    client.restoreRun(runId);
    assertEquals("active", client.getRun(runId).getInfo().getLifecycleStage());
  }

  @Test
  void nestedRunsAndSearch() {
    String experimentId = client.createExperiment("search-exp");
    String parent = newRun(experimentId, "parent", 100);
    List<String> children = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String child = newRun(experimentId, "child-" + i, 200 + i);
      client.setTag(child, "mlflow.parentRunId", parent);
      client.logParam(child, "lr", "0." + (i + 1));
      client.logMetric(child, "loss", 1.0 / (i + 1), 10, 0);
      client.setTag(child, "team", i % 2 == 0 ? "ML-core" : "data");
      children.add(child);
    }
    client.setTerminated(children.get(0), RunStatus.FINISHED, 500);
    List<String> exp = List.of(experimentId);

    assertEquals(
        new TreeSet<>(children),
        new TreeSet<>(
            runIds(client.searchRuns(exp, "tags.mlflow.parentRunId = '" + parent + "'"))));
    assertEquals(
        List.of(children.get(2), children.get(3)),
        runIds(
            client
                .searchRuns(
                    exp,
                    "metrics.loss < 0.5",
                    ViewType.ACTIVE_ONLY,
                    10,
                    List.of("metrics.loss DESC"))
                .getItems()));
    assertEquals(List.of(children.get(1)), runIds(client.searchRuns(exp, "params.lr = '0.2'")));
    assertEquals(
        Set.of(children.get(0), children.get(2)),
        Set.copyOf(runIds(client.searchRuns(exp, "tags.team ILIKE 'ml%'"))));
    assertEquals(List.of(), runIds(client.searchRuns(exp, "tags.team LIKE 'ml%'")));
    assertEquals(
        List.of(children.get(0)), runIds(client.searchRuns(exp, "attributes.status = 'FINISHED'")));
    assertEquals(
        List.of(children.get(3)),
        runIds(client.searchRuns(exp, "attributes.run_name = 'child-3' and params.lr != '0.1'")));
    assertEquals(
        Set.of(children.get(1), children.get(2)),
        Set.copyOf(runIds(client.searchRuns(exp, "metrics.loss >= 0.3 AND metrics.loss <= 0.5"))));
    assertEquals(
        List.of(children.get(3), children.get(2), children.get(1), children.get(0), parent),
        runIds(client.searchRuns(exp, "attributes.start_time > 50")),
        "default order: start_time DESC");
    assertEquals(
        List.of(children.get(0), children.get(1), children.get(2), children.get(3), parent),
        runIds(
            client
                .searchRuns(exp, "", ViewType.ACTIVE_ONLY, 10, List.of("params.lr ASC"))
                .getItems()),
        "runs without the param come last");

    List<String> paged = new ArrayList<>();
    RunsPage page =
        client.searchRuns(exp, "", ViewType.ACTIVE_ONLY, 2, List.of("attributes.run_name ASC"));
    while (true) {
      paged.addAll(runIds(page.getItems()));
      if (!page.hasNextPage()) {
        break;
      }
      page = (RunsPage) page.getNextPage();
    }
    assertEquals(5, paged.size());
    assertEquals(parent, paged.get(4));

    client.deleteRun(children.get(3));
    assertFalse(runIds(client.searchRuns(exp, "")).contains(children.get(3)));
    assertEquals(
        List.of(children.get(3)),
        runIds(client.searchRuns(exp, "", ViewType.DELETED_ONLY, 10, List.of()).getItems()));
    assertEquals(5, client.searchRuns(exp, "", ViewType.ALL, 10, List.of()).getItems().size());
  }

  @Test
  void registryThroughClientAndHttp() throws Exception {
    String runId = newRun("0", "trainer", 1);
    String source = "mlflow-artifacts:/0/" + runId + "/artifacts/model";
    client.sendPost(
        "registered-models/create",
        "{\"name\":\"reg-model\",\"description\":\"first\",\"tags\":[{\"key\":\"k\",\"value\":\"v\"}]}");
    RegisteredModel model = client.getRegisteredModel("reg-model");
    assertEquals("first", model.getDescription());
    assertEquals("v", model.getTags(0).getValue());

    for (int i = 0; i < 2; i++) {
      client.sendPost(
          "model-versions/create",
          "{\"name\":\"reg-model\",\"source\":\"" + source + "\",\"run_id\":\"" + runId + "\"}");
    }
    ModelVersion v2 = client.getModelVersion("reg-model", "2");
    assertEquals("2", v2.getVersion());
    assertEquals("None", v2.getCurrentStage());
    assertEquals(source, v2.getSource());
    assertEquals(runId, v2.getRunId());
    assertEquals(source, client.getModelVersionDownloadUri("reg-model", "1"));
    assertEquals(List.of("2"), versions(client.getLatestVersions("reg-model")));
    assertEquals(
        Set.of("1", "2"),
        new TreeSet<>(versions(client.searchModelVersions("name='reg-model'").getItems())));
    assertEquals(
        List.of("1"),
        versions(
            client
                .searchModelVersions("name='reg-model'", 1, List.of("version_number ASC"))
                .getItems()));

    client.sendPatch(
        "registered-models/update", "{\"name\":\"reg-model\",\"description\":\"second\"}");
    client.sendPatch(
        "model-versions/update",
        "{\"name\":\"reg-model\",\"version\":\"1\",\"description\":\"v1 desc\"}");
    client.sendPost(
        "registered-models/set-tag", "{\"name\":\"reg-model\",\"key\":\"owner\",\"value\":\"me\"}");
    client.sendPost(
        "model-versions/set-tag",
        "{\"name\":\"reg-model\",\"version\":\"1\",\"key\":\"validated\",\"value\":\"true\"}");
    client.sendPost(
        "model-versions/transition-stage",
        "{\"name\":\"reg-model\",\"version\":\"1\",\"stage\":\"production\","
            + "\"archive_existing_versions\":false}");
    assertEquals(
        List.of("1"), versions(client.getLatestVersions("reg-model", List.of("Production"))));
    assertEquals("v1 desc", client.getModelVersion("reg-model", "1").getDescription());
    assertEquals("true", client.getModelVersion("reg-model", "1").getTags(0).getValue());
    assertEquals("second", client.getRegisteredModel("reg-model").getDescription());

    // Aliases: only raw HTTP (or sendPost/sendGet) reach them.
    client.sendPost(
        "registered-models/alias",
        "{\"name\":\"reg-model\",\"alias\":\"champion\",\"version\":\"2\"}");
    TrackingHttp.Reply byAlias =
        http.get("/registered-models/alias", Map.of("name", "reg-model", "alias", "champion"));
    assertEquals(200, byAlias.status(), byAlias.toString());
    assertEquals("2", byAlias.json().at("/model_version/version").asText());
    assertEquals("champion", byAlias.json().at("/model_version/aliases/0").asText());
    assertEquals("champion", client.getRegisteredModel("reg-model").getAliases(0).getAlias());
    assertTrue(
        client
            .sendGet("registered-models/search?filter=name%3D%27reg-model%27")
            .contains("\"aliases\":[{\"alias\":\"champion\",\"version\":\"2\"}]"));

    TrackingHttp.Reply rename =
        http.post(
            "/registered-models/rename", "{\"name\":\"reg-model\",\"new_name\":\"reg-model-2\"}");
    assertEquals(200, rename.status(), rename.toString());
    assertEquals("reg-model-2", rename.json().at("/registered_model/name").asText());
    assertEquals("reg-model-2", client.getModelVersion("reg-model-2", "2").getName());

    assertEquals(
        200,
        http.delete("/registered-models/alias", "{\"name\":\"reg-model-2\",\"alias\":\"champion\"}")
            .status());
    assertEquals(
        400,
        http.get("/registered-models/alias", Map.of("name", "reg-model-2", "alias", "champion"))
            .status());
    assertEquals(
        200,
        http.delete(
                "/model-versions/delete-tag",
                "{\"name\":\"reg-model-2\",\"version\":\"1\",\"key\":\"validated\"}")
            .status());
    assertEquals(0, client.getModelVersion("reg-model-2", "1").getTagsCount());
    assertEquals(
        200,
        http.delete("/registered-models/delete-tag", "{\"name\":\"reg-model-2\",\"key\":\"owner\"}")
            .status());
    assertEquals(
        200,
        http.delete("/model-versions/delete", "{\"name\":\"reg-model-2\",\"version\":\"2\"}")
            .status());
    MlflowHttpException gone =
        assertThrows(MlflowHttpException.class, () -> client.getModelVersion("reg-model-2", "2"));
    assertEquals(404, gone.getStatusCode());
    assertEquals(
        200, http.delete("/registered-models/delete", "{\"name\":\"reg-model-2\"}").status());
    assertEquals(
        404,
        assertThrows(MlflowHttpException.class, () -> client.getRegisteredModel("reg-model-2"))
            .getStatusCode());
  }

  @Test
  void artifactsUploadDownloadList() {
    String experimentId = client.createExperiment("artifacts-exp");
    String runId = newRun(experimentId, "with-artifacts", 1);
    String base = "/" + experimentId + "/" + runId + "/artifacts";
    TrackingHttp.Reply put =
        artifacts.put(
            base + "/model/MLmodel", HttpRequest.BodyPublishers.ofString("flavors: {}\n"));
    assertEquals(200, put.status(), put.toString());
    assertEquals("{}", put.body());
    artifacts.put(
        base + "/model/model.onnx", HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3}));
    artifacts.put(base + "/report.json", HttpRequest.BodyPublishers.ofString("{\"ok\":true}"));

    HttpResponse<String> file =
        artifacts.download(base + "/model/MLmodel", HttpResponse.BodyHandlers.ofString());
    assertEquals(200, file.statusCode());
    assertEquals("flavors: {}\n", file.body());
    assertEquals(
        "attachment; filename=MLmodel",
        file.headers().firstValue("Content-Disposition").orElseThrow());

    JsonNode listing =
        artifacts.get("", Map.of("path", experimentId + "/" + runId + "/artifacts/model")).json();
    assertEquals(
        "{\"files\":[{\"path\":\"MLmodel\",\"is_dir\":false,\"file_size\":12},"
            + "{\"path\":\"model.onnx\",\"is_dir\":false,\"file_size\":3}]}",
        listing.toString());

    TrackingHttp.Reply runListing = http.get("/artifacts/list", Map.of("run_id", runId));
    assertEquals(
        "{\"root_uri\":\"mlflow-artifacts:/"
            + experimentId
            + "/"
            + runId
            + "/artifacts\",\"files\":[{\"path\":\"model\",\"is_dir\":true},"
            + "{\"path\":\"report.json\",\"is_dir\":false,\"file_size\":11}]}",
        runListing.json().toString());
    JsonNode nested = http.get("/artifacts/list", Map.of("run_id", runId, "path", "model")).json();
    assertEquals("model/MLmodel", nested.at("/files/0/path").asText());

    assertEquals(200, artifacts.send("DELETE", base + "/report.json", null).status());
    assertEquals(
        404,
        artifacts
            .download(base + "/report.json", HttpResponse.BodyHandlers.ofString())
            .statusCode());
  }

  @Test
  void responsesHaveMlflowShapes() {
    String runId = newRun("0", "shapes", 1_700_000_000_123L);
    client.logMetric(runId, "m", 1.5, 1_700_000_000_456L, 7);
    JsonNode run = http.get("/runs/get", Map.of("run_id", runId)).json();
    assertEquals(Set.of("run"), fields(run));
    assertEquals(Set.of("info", "data", "inputs"), fields(run.get("run")));
    JsonNode info = run.at("/run/info");
    assertEquals(
        Set.of(
            "run_id",
            "run_uuid",
            "run_name",
            "experiment_id",
            "user_id",
            "status",
            "start_time",
            "artifact_uri",
            "lifecycle_stage"),
        fields(info));
    assertTrue(info.get("start_time").isIntegralNumber(), "int64 fields are JSON numbers");
    assertEquals(1_700_000_000_123L, info.get("start_time").asLong());
    assertEquals("RUNNING", info.get("status").asText());
    JsonNode metric = run.at("/run/data/metrics/0");
    assertEquals(Set.of("key", "value", "timestamp", "step"), fields(metric));
    assertTrue(metric.get("timestamp").isIntegralNumber());
    assertTrue(metric.get("step").isIntegralNumber());

    TrackingHttp.Reply missing = http.get("/runs/get", Map.of("run_id", "0123456789abcdef"));
    assertEquals(404, missing.status());
    assertEquals(Set.of("error_code", "message"), fields(missing.json()));
    assertEquals("RESOURCE_DOES_NOT_EXIST", missing.errorCode());

    // GET works where MLflow's protos declare it, query parameters standing in for the JSON.
    JsonNode found =
        http.get("/experiments/search", Map.of("filter", "name = 'Default'", "max_results", "5"))
            .json();
    assertEquals("0", found.at("/experiments/0/experiment_id").asText());
    assertEquals(1, found.get("experiments").size());
    JsonNode latest =
        http.get("/registered-models/get-latest-versions", Map.of("name", "no-such-model")).json();
    assertEquals("RESOURCE_DOES_NOT_EXIST", latest.get("error_code").asText());

    // The UI's ajax-api prefix serves the same API.
    TrackingHttp ajax = new TrackingHttp(server.url() + "/ajax-api/2.0/mlflow");
    assertEquals(
        runId,
        ajax.get("/runs/get", Map.of("run_id", runId)).json().at("/run/info/run_id").asText());
    assertEquals("OK", new TrackingHttp(server.url()).get("/health").body());
  }

  @Test
  void basicAuthWhenConfigured(@TempDir Path authRoot) {
    try (TrackingHttpServer secured =
        TrackingHttpServer.start(
            TrackingServerConfig.local(authRoot, 0).withAuth("mlops", "s3cret"))) {
      TrackingHttp anonymous = new TrackingHttp(secured.url() + "/api/2.0/mlflow");
      TrackingHttp.Reply denied = anonymous.get("/experiments/get", Map.of("experiment_id", "0"));
      assertEquals(401, denied.status());
      assertEquals("UNAUTHENTICATED", denied.errorCode());
      assertEquals(
          "Basic realm=\"mlflow\"",
          denied.raw().headers().firstValue("WWW-Authenticate").orElseThrow());
      assertEquals(
          401,
          new TrackingHttp(secured.url() + "/api/2.0/mlflow")
              .withBasicAuth("mlops", "wrong")
              .get("/experiments/get", Map.of("experiment_id", "0"))
              .status());
      assertEquals(200, new TrackingHttp(secured.url()).get("/health").status());

      MlflowClient authed =
          new MlflowClient(new BasicMlflowHostCreds(secured.url(), "mlops", "s3cret"));
      assertEquals("Default", authed.getExperiment("0").getName());
      authed.close();
      MlflowClient unauthenticated = new MlflowClient(secured.url());
      assertEquals(
          401,
          assertThrows(MlflowHttpException.class, () -> unauthenticated.getExperiment("0"))
              .getStatusCode());
      unauthenticated.close();
    }
  }

  // ---------------------------------------------------------------- helpers

  static String newRun(String experimentId, String name, long startTime) {
    return client
        .createRun(
            CreateRun.newBuilder()
                .setExperimentId(experimentId)
                .setRunName(name)
                .setStartTime(startTime)
                .build())
        .getRunId();
  }

  private static String tag(Experiment experiment, String key) {
    return experiment.getTagsList().stream()
        .filter(t -> t.getKey().equals(key))
        .map(ExperimentTag::getValue)
        .findFirst()
        .orElse(null);
  }

  private static List<String> ids(List<Experiment> experiments) {
    return experiments.stream().map(Experiment::getExperimentId).toList();
  }

  private static List<String> runIds(List<?> runs) {
    return runs.stream()
        .map(r -> r instanceof Run run ? run.getInfo().getRunId() : ((RunInfo) r).getRunId())
        .toList();
  }

  private static List<String> versions(List<ModelVersion> versions) {
    return versions.stream().map(ModelVersion::getVersion).toList();
  }

  private static Map<String, String> params(Run run) {
    return run.getData().getParamsList().stream()
        .collect(Collectors.toMap(Param::getKey, Param::getValue));
  }

  private static Map<String, String> tags(Run run) {
    return run.getData().getTagsList().stream()
        .collect(Collectors.toMap(RunTag::getKey, RunTag::getValue));
  }

  private static Metric metric(Run run, String key) {
    return run.getData().getMetricsList().stream()
        .filter(m -> m.getKey().equals(key))
        .findFirst()
        .orElseThrow();
  }

  private static Set<String> fields(JsonNode node) {
    Set<String> names = new TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
