package org.beammlops.local.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;

/**
 * The bad input of the issue, each answered the way MLflow answers it (or, for size limits, with a
 * clear 413), after which the server keeps serving ({@link #stillServing}).
 */
class TrackingBadInputIT {
  static final long MIB = 1024 * 1024;

  @TempDir static Path root;
  @TempDir static Path smallRoot;
  static TrackingHttpServer server;
  static TrackingHttpServer small;
  static MlflowClient client;
  static TrackingHttp http;
  static TrackingHttp artifacts;

  @BeforeAll
  static void start() {
    server = TrackingHttpServer.start(TrackingServerConfig.local(root, 0));
    small =
        TrackingHttpServer.start(TrackingServerConfig.local(smallRoot, 0).withLimits(MIB, 4 * MIB));
    client = new MlflowClient(server.url());
    http = new TrackingHttp(server.url() + "/api/2.0/mlflow");
    artifacts = new TrackingHttp(server.url() + "/api/2.0/mlflow-artifacts/artifacts");
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
    small.close();
  }

  @AfterEach
  void stillServing() {
    for (TrackingHttpServer s : List.of(server, small)) {
      assertEquals("OK", new TrackingHttp(s.url()).get("/health").body());
      MlflowClient c = new MlflowClient(s.url());
      assertEquals("Default", c.getExperiment("0").getName());
      c.close();
    }
  }

  @Test
  void malformedJsonIsBadRequest() {
    for (String body : List.of("{not json", "{\"name\": \"x\",}", "[1, 2]", "\"{broken\"", "{")) {
      TrackingHttp.Reply reply = http.post("/experiments/create", body);
      assertEquals(400, reply.status(), body + " -> " + reply);
      assertEquals("BAD_REQUEST", reply.errorCode(), body + " -> " + reply);
    }
    TrackingHttp.Reply empty = http.post("/experiments/create", "");
    assertError(
        400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter 'name'", empty);
  }

  @Test
  void missingAndMistypedFieldsAreInvalidParameters() {
    String runId = client.createRun().getRunId();
    assertError(
        400,
        "INVALID_PARAMETER_VALUE",
        "Missing value for required parameter 'timestamp'",
        http.post("/runs/log-metric", "{\"run_id\":\"" + runId + "\",\"key\":\"k\",\"value\":1}"));
    assertError(
        400,
        "INVALID_PARAMETER_VALUE",
        "Missing value for required parameter 'run_id'",
        http.get("/runs/get"));
    assertError(
        400,
        "INVALID_PARAMETER_VALUE",
        "Missing value for required parameter 'name'",
        http.post("/registered-models/create", "{\"name\":\"\"}"));
    assertError(
        400,
        "INVALID_PARAMETER_VALUE",
        "Missing value for required parameter 'metrics[1].timestamp'",
        http.post(
            "/runs/log-batch",
            "{\"run_id\":\""
                + runId
                + "\",\"metrics\":[{\"key\":\"a\",\"value\":1,\"timestamp\":1},"
                + "{\"key\":\"b\",\"value\":2}]}"));
    assertError(
        400,
        "INVALID_PARAMETER_VALUE",
        "Invalid value abc for parameter 'value' supplied",
        http.post(
            "/runs/log-metric",
            "{\"run_id\":\"" + runId + "\",\"key\":\"k\",\"value\":\"abc\",\"timestamp\":1}"));
    assertError(
        400,
        "INVALID_PARAMETER_VALUE",
        "Invalid value 5 for parameter 'name' supplied",
        http.post("/experiments/create", "{\"name\":5}"));
    assertError(
        400,
        "INVALID_PARAMETER_VALUE",
        "Invalid value",
        http.post("/runs/update", "{\"run_id\":\"" + runId + "\",\"status\":\"DONE\"}"));
    assertEquals(0, client.getRun(runId).getData().getMetricsCount(), "nothing half-logged");
  }

  @Test
  void unknownIdsAreNotFound() {
    assertError(
        404,
        "RESOURCE_DOES_NOT_EXIST",
        "Could not find experiment with ID 123456",
        http.get("/experiments/get", Map.of("experiment_id", "123456")));
    assertError(
        404,
        "RESOURCE_DOES_NOT_EXIST",
        "Run 'feedface' not found",
        http.get("/runs/get", Map.of("run_id", "feedface")));
    assertError(
        404,
        "RESOURCE_DOES_NOT_EXIST",
        "not found",
        http.post(
            "/runs/log-metric",
            "{\"run_id\":\"feedface\",\"key\":\"k\",\"value\":1,\"timestamp\":1}"));
    assertError(
        404,
        "RESOURCE_DOES_NOT_EXIST",
        "Registered Model with name=nope not found",
        http.get("/registered-models/get", Map.of("name", "nope")));
    http.post("/registered-models/create", "{\"name\":\"one-version\"}");
    assertError(
        404,
        "RESOURCE_DOES_NOT_EXIST",
        "Model Version (name=one-version, version=7) not found",
        http.get("/model-versions/get", Map.of("name", "one-version", "version", "7")));
    assertError(
        400,
        "INVALID_PARAMETER_VALUE",
        "Model version must be an integer",
        http.get("/model-versions/get", Map.of("name", "one-version", "version", "x")));
    assertError(
        400,
        "INVALID_PARAMETER_VALUE",
        "Registered model alias champion not found",
        http.get("/registered-models/alias", Map.of("name", "one-version", "alias", "champion")));
    assertError(
        400,
        "INVALID_PARAMETER_VALUE",
        "Invalid run ID",
        http.get("/runs/get", Map.of("run_id", "../../etc")));
    assertError(
        400,
        "INVALID_PARAMETER_VALUE",
        "Invalid experiment ID",
        http.get("/experiments/get", Map.of("experiment_id", "../..")));
    assertEquals(
        404,
        assertThrows(MlflowHttpException.class, () -> client.getRun("0123abcd")).getStatusCode());
    assertEquals(
        404,
        assertThrows(MlflowHttpException.class, () -> client.getExperiment("42")).getStatusCode());
    assertError(404, "ENDPOINT_NOT_FOUND", "No endpoint", http.get("/runs/nope"));
    TrackingHttp.Reply wrongMethod = http.get("/runs/create");
    assertEquals(405, wrongMethod.status());
  }

  @Test
  void duplicateNamesAlreadyExist() {
    String id = client.createExperiment("dup-exp");
    assertError(
        400,
        "RESOURCE_ALREADY_EXISTS",
        "Experiment 'dup-exp' already exists.",
        http.post("/experiments/create", "{\"name\":\"dup-exp\"}"));
    client.createExperiment("dup-exp-2");
    assertError(
        400,
        "RESOURCE_ALREADY_EXISTS",
        "already exists",
        http.post(
            "/experiments/update",
            "{\"experiment_id\":\"" + id + "\",\"new_name\":\"dup-exp-2\"}"));
    client.deleteExperiment(id);
    assertError(
        400,
        "RESOURCE_ALREADY_EXISTS",
        "already exists in deleted state",
        http.post("/experiments/create", "{\"name\":\"dup-exp\"}"));
    http.post("/registered-models/create", "{\"name\":\"dup-model\"}");
    http.post("/registered-models/create", "{\"name\":\"dup-model-2\"}");
    assertError(
        400,
        "RESOURCE_ALREADY_EXISTS",
        "Registered Model (name=dup-model) already exists.",
        http.post("/registered-models/create", "{\"name\":\"dup-model\"}"));
    assertError(
        400,
        "RESOURCE_ALREADY_EXISTS",
        "already exists",
        http.post(
            "/registered-models/rename", "{\"name\":\"dup-model\",\"new_name\":\"dup-model-2\"}"));
    String runId = client.createRun().getRunId();
    client.logParam(runId, "lr", "0.1");
    assertError(
        400,
        "INVALID_PARAMETER_VALUE",
        "Changing param values is not allowed",
        http.post(
            "/runs/log-parameter",
            "{\"run_id\":\"" + runId + "\",\"key\":\"lr\",\"value\":\"0.2\"}"));
  }

  @Test
  void nonFiniteMetricValuesAreStoredAsMlflowStoresThem() throws IOException {
    String runId = client.createRun().getRunId();
    client.logMetric(runId, "odd", Double.NaN, 1, 0);
    client.logMetric(runId, "odd", Double.POSITIVE_INFINITY, 2, 1);
    client.logMetric(runId, "odd", Double.NEGATIVE_INFINITY, 3, 2);
    TrackingHttp.Reply bare =
        http.post(
            "/runs/log-metric",
            "{\"run_id\":\""
                + runId
                + "\",\"key\":\"odd\",\"value\":NaN,\"timestamp\":4,\"step\":3}");
    assertEquals(200, bare.status(), bare.toString());

    List<Metric> history = client.getMetricHistory(runId, "odd");
    assertTrue(Double.isNaN(history.get(0).getValue()));
    assertEquals(Double.POSITIVE_INFINITY, history.get(1).getValue());
    assertEquals(Double.NEGATIVE_INFINITY, history.get(2).getValue());
    assertTrue(Double.isNaN(history.get(3).getValue()));
    assertTrue(Double.isNaN(client.getRun(runId).getData().getMetrics(0).getValue()));
    assertEquals(
        List.of("\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"NaN\""),
        http
            .get("/metrics/get-history", Map.of("run_id", runId, "metric_key", "odd"))
            .json()
            .findValues("value")
            .stream()
            .map(Object::toString)
            .toList());
    Path file = root.resolve("mlruns/0").resolve(runId).resolve("metrics/odd");
    assertEquals(List.of("1 nan 0", "2 inf 1", "3 -inf 2", "4 nan 3"), Files.readAllLines(file));
  }

  @Test
  void awkwardKeysAreValidatedAndNeverLeaveTheStore() {
    String runId = client.createRun().getRunId();
    client.logMetric(runId, "val/loss", 0.5, 1, 0);
    client.logParam(runId, "learning rate", "0.1");
    client.setTag(runId, "team/owner", "ml");
    Path runDir = root.resolve("mlruns/0").resolve(runId);
    assertTrue(Files.isRegularFile(runDir.resolve("metrics/val/loss")));
    assertTrue(Files.isRegularFile(runDir.resolve("params/learning rate")));
    assertTrue(Files.isRegularFile(runDir.resolve("tags/team/owner")));

    for (String bad : List.of("..", "../../etc", "a/../b", "/etc/passwd", "a".repeat(300), "x$y")) {
      String key = TrackingHttp.JSON.valueToTree(bad).toString();
      assertEquals(
          400,
          http.post(
                  "/runs/log-metric",
                  "{\"run_id\":\"" + runId + "\",\"key\":" + key + ",\"value\":1,\"timestamp\":1}")
              .status(),
          bad);
      assertEquals(
          400,
          http.post(
                  "/runs/log-parameter",
                  "{\"run_id\":\"" + runId + "\",\"key\":" + key + ",\"value\":\"v\"}")
              .status(),
          bad);
      assertEquals(
          400,
          http.post(
                  "/runs/set-tag",
                  "{\"run_id\":\"" + runId + "\",\"key\":" + key + ",\"value\":\"v\"}")
              .status(),
          bad);
      assertEquals(
          400,
          http.post(
                  "/experiments/set-experiment-tag",
                  "{\"experiment_id\":\"0\",\"key\":" + key + ",\"value\":\"v\"}")
              .status(),
          bad);
    }
    for (String name : List.of("../../etc", "..", "a/b", "50%")) {
      assertError(
          400,
          "INVALID_PARAMETER_VALUE",
          "Invalid name",
          http.post("/registered-models/create", "{\"name\":\"" + name + "\"}"));
    }
    String base = "/0/" + runId + "/artifacts/";
    for (String path :
        List.of(
            base + "..%2f..%2f..%2fmeta.yaml",
            base + "%2e%2e/%2e%2e/meta.yaml",
            base + "%252e%252e/%252e%252e/%252e%252e/etc",
            "/0/" + runId + "/meta.yaml",
            "/models/x/meta.yaml",
            base + "a%5cb")) {
      TrackingHttp.Reply reply = artifacts.put(path, HttpRequest.BodyPublishers.ofString("x"));
      assertTrue(reply.status() == 400 || reply.status() == 404, path + " -> " + reply);
    }
    assertEquals(
        400, http.get("/artifacts/list", Map.of("run_id", runId, "path", "../../..")).status());
    assertEquals(
        400, artifacts.get("", Map.of("path", "0/" + runId + "/artifacts/../../..")).status());
    try (Stream<Path> all = Files.walk(root)) {
      assertEquals(
          List.of(),
          all.filter(p -> p.getFileName().toString().equals("etc")).toList(),
          "no file named etc anywhere in the store");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertTrue(
        readOrEmpty(runDir.resolve("meta.yaml")).startsWith("artifact_uri: mlflow-artifacts:/0/"),
        "the run's meta.yaml is untouched");
  }

  @Test
  void fiftyMegabyteArtifactStreamsBothWays() throws Exception {
    String runId = client.createRun().getRunId();
    long size = 50L * 1000 * 1000;
    String path = "/0/" + runId + "/artifacts/big/model.bin";
    TrackingHttp.Reply put =
        artifacts.put(path, HttpRequest.BodyPublishers.ofInputStream(() -> new Pattern(size)));
    assertEquals(200, put.status(), put.toString());
    assertEquals(
        size,
        Files.size(root.resolve("mlruns/0").resolve(runId).resolve("artifacts/big/model.bin")));

    HttpResponse<InputStream> got =
        artifacts.download(path, HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, got.statusCode());
    assertEquals(String.valueOf(size), got.headers().firstValue("Content-Length").orElseThrow());
    assertArrayEquals(sha256(new Pattern(size)), sha256(got.body()));
    assertEquals(
        size,
        http.get("/artifacts/list", Map.of("run_id", runId, "path", "big"))
            .json()
            .at("/files/0/file_size")
            .asLong());
  }

  @Test
  void bodiesOverTheLimitAreRefusedClearly() throws Exception {
    TrackingHttp smallHttp = new TrackingHttp(small.url() + "/api/2.0/mlflow");
    TrackingHttp smallArtifacts =
        new TrackingHttp(small.url() + "/api/2.0/mlflow-artifacts/artifacts");
    MlflowClient smallClient = new MlflowClient(small.url());
    String runId = smallClient.createRun().getRunId();

    String hugeValue = "x".repeat((int) (2 * MIB));
    TrackingHttp.Reply json =
        smallHttp.post(
            "/runs/set-tag",
            "{\"run_id\":\"" + runId + "\",\"key\":\"k\",\"value\":\"" + hugeValue + "\"}");
    assertError(413, "BAD_REQUEST", "larger than the limit of 1048576 bytes", json);

    String path = "/0/" + runId + "/artifacts/too-big.bin";
    TrackingHttp.Reply declared =
        smallArtifacts.put(path, HttpRequest.BodyPublishers.ofByteArray(new byte[(int) (5 * MIB)]));
    assertError(413, "BAD_REQUEST", "larger than the limit of 4194304 bytes", declared);
    TrackingHttp.Reply chunked =
        smallArtifacts.put(
            path, HttpRequest.BodyPublishers.ofInputStream(() -> new Pattern(5 * MIB)));
    assertError(413, "BAD_REQUEST", "larger than the limit of 4194304 bytes", chunked);

    assertFalse(
        Files.exists(
            smallRoot.resolve("mlruns/0").resolve(runId).resolve("artifacts/too-big.bin")));
    try (Stream<Path> tmp = Files.list(smallRoot.resolve("tmp"))) {
      assertEquals(List.of(), tmp.toList(), "no upload left behind");
    }
    assertEquals(
        0,
        smallClient.getRun(runId).getData().getTagsList().stream()
            .filter(t -> t.getKey().equals("k"))
            .count());
    smallClient.close();
  }

  @Test
  void runsLoggedAfterTheyEndBehaveLikeMlflow() {
    String runId = client.createRun().getRunId();
    client.setTerminated(runId, RunStatus.FINISHED, 1000);
    // MLflow checks the lifecycle stage, not the status: a finished run still takes data.
    client.logMetric(runId, "late", 1.0, 2000, 0);
    client.logParam(runId, "late-param", "x");
    client.setTag(runId, "late-tag", "y");
    assertEquals(RunStatus.FINISHED, client.getRun(runId).getInfo().getStatus());
    assertEquals(1, client.getMetricHistory(runId, "late").size());

    client.deleteRun(runId);
    String deleted = "The run " + runId + " must be in the 'active' lifecycle_stage.";
    assertError(
        400,
        "INVALID_PARAMETER_VALUE",
        deleted,
        http.post(
            "/runs/log-metric",
            "{\"run_id\":\"" + runId + "\",\"key\":\"late\",\"value\":2,\"timestamp\":3}"));
    assertError(
        400,
        "INVALID_PARAMETER_VALUE",
        deleted,
        http.post("/runs/set-tag", "{\"run_id\":\"" + runId + "\",\"key\":\"t\",\"value\":\"v\"}"));
    assertError(
        400,
        "INVALID_PARAMETER_VALUE",
        deleted,
        http.post("/runs/update", "{\"run_id\":\"" + runId + "\",\"status\":\"FAILED\"}"));
    client.restoreRun(runId);
    client.logMetric(runId, "late", 2.0, 3000, 1);
    assertEquals(2, client.getMetricHistory(runId, "late").size());

    String experimentId = client.createExperiment("gone-exp");
    client.deleteExperiment(experimentId);
    assertError(
        400,
        "INVALID_PARAMETER_VALUE",
        "non-active experiment",
        http.post("/runs/create", "{\"experiment_id\":\"" + experimentId + "\"}"));
  }

  // ---------------------------------------------------------------- helpers

  private static void assertError(
      int status, String errorCode, String messagePart, TrackingHttp.Reply reply) {
    assertEquals(status, reply.status(), reply.toString());
    assertEquals(errorCode, reply.errorCode(), reply.toString());
    assertTrue(
        reply.json().get("message").asText().contains(messagePart),
        "message should contain '" + messagePart + "': " + reply);
  }

  private static String readOrEmpty(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }

  private static byte[] sha256(InputStream in) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (in) {
      byte[] buffer = new byte[1 << 16];
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
    }
    return digest.digest();
  }

  /** A deterministic byte stream of a given length, generated on the fly (never held whole). */
  static final class Pattern extends InputStream {
    private final long size;
    private long position;

    Pattern(long size) {
      this.size = size;
    }

    @Override
    public int read() {
      if (position >= size) {
        return -1;
      }
      return (int) ((position++ * 2654435761L >>> 13) & 0xff);
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (position >= size) {
        return -1;
      }
      int n = (int) Math.min(len, size - position);
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) ((position++ * 2654435761L >>> 13) & 0xff);
      }
      return n;
    }
  }
}
