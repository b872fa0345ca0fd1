package org.beammlops.transforms.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.beammlops.transforms.tracking.LocalHttpServer.Answer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retries, errors and secrets, against a real HTTP server on a local port. */
class RetryAndErrorsTest {
  private static final RetryPolicy FAST =
      new RetryPolicy(4, Duration.ofMillis(5), Duration.ofMillis(20));
  private static final String PASSWORD = "pa55-w0rd-Secret!";
  private static final String TOKEN = "tok-abcdef-123456";
  private static final String EXPERIMENT =
      "{\"experiment\": {\"experiment_id\": \"7\", \"name\": \"flights\","
          + " \"lifecycle_stage\": \"active\"}}";

  @TempDir Path tmp;

  private static TrackingClient client(LocalHttpServer server) {
    return TrackingClient.create(
        TrackingConfig.builder().trackingUri(server.uri()).retryPolicy(FAST).build());
  }

  @Test
  void retriesTwo503sThenSucceeds() throws IOException {
    try (LocalHttpServer server =
            new LocalHttpServer(
                (r, n) -> n <= 2 ? Answer.json(503, "{}") : Answer.json(200, EXPERIMENT));
        TrackingClient client = client(server)) {
      assertEquals("7", client.findExperimentId("flights").orElseThrow());
      assertEquals(3, server.count("/api/2.0/mlflow/experiments/get-by-name"));
    }
  }

  @Test
  void retries429AndDroppedConnections() throws IOException {
    try (LocalHttpServer server =
            new LocalHttpServer(
                (r, n) ->
                    switch (n) {
                      case 1 -> Answer.json(429, "{\"error_code\": \"REQUEST_LIMIT_EXCEEDED\"}");
                      case 2 -> null; // connection closed without an answer
                      default -> Answer.json(200, "{}");
                    });
        TrackingClient client = client(server)) {
      client.logParam("run1", "learner", "xgboost");
      assertEquals(3, server.count("/api/2.0/mlflow/runs/log-parameter"));
    }
  }

  @Test
  void neverRetriesAClientError() throws IOException {
    LocalHttpServer.Handler handler =
        (r, n) ->
            r.path().endsWith("/runs/log-parameter")
                ? Answer.json(
                    400,
                    "{\"error_code\": \"INVALID_PARAMETER_VALUE\", \"message\":"
                        + " \"Param key too long\"}")
                : Answer.json(
                    404,
                    "{\"error_code\": \"RESOURCE_DOES_NOT_EXIST\", \"message\":"
                        + " \"Model Version (name=flights, version=9) not found\"}");
    try (LocalHttpServer server = new LocalHttpServer(handler);
        TrackingClient client = client(server)) {
      TrackingException notFound =
          assertThrows(TrackingException.class, () -> client.getModelVersion("flights", 9));
      assertEquals(404, notFound.httpStatus());
      assertEquals("RESOURCE_DOES_NOT_EXIST", notFound.errorCode().orElseThrow());
      assertTrue(notFound.isNotFound());
      assertTrue(notFound.getMessage().contains("not found"), notFound.getMessage());
      assertEquals(1, server.count("/api/2.0/mlflow/model-versions/get"));

      // Runs calls too: a client error is never sent again.
      TrackingException invalid =
          assertThrows(TrackingException.class, () -> client.logParam("run1", "k", "v"));
      assertEquals(400, invalid.httpStatus());
      assertEquals("INVALID_PARAMETER_VALUE", invalid.errorCode().orElseThrow());
      assertEquals(1, server.count("/api/2.0/mlflow/runs/log-parameter"));

      // And an absent alias is an empty answer, not an error.
      assertTrue(client.getVersionByAlias("flights", "champion").isEmpty());
      assertEquals(1, server.count("/api/2.0/mlflow/registered-models/alias"));
    }
  }

  @Test
  void givesUpAfterTheConfiguredAttemptsOn5xx() throws IOException {
    try (LocalHttpServer server =
            new LocalHttpServer(
                (r, n) ->
                    Answer.json(
                        500, "{\"error_code\": \"INTERNAL_ERROR\", \"message\": \"disk full\"}"));
        TrackingClient client = client(server)) {
      TrackingException e =
          assertThrows(TrackingException.class, () -> client.setAlias("flights", "champion", 3));
      assertEquals(500, e.httpStatus());
      assertTrue(e.getMessage().contains("after 4 attempts"), e.getMessage());
      assertTrue(e.getMessage().contains("disk full"), e.getMessage());
      assertEquals(4, server.count("/api/2.0/mlflow/registered-models/alias"));
    }
  }

  @Test
  void artifactUploadsRetryToo() throws IOException {
    Path file = Files.writeString(tmp.resolve("metrics.json"), "{}");
    try (LocalHttpServer server =
            new LocalHttpServer((r, n) -> n == 1 ? Answer.json(502, "") : Answer.json(200, "{}"));
        TrackingClient client = client(server)) {
      client.storeFor("mlflow-artifacts:/1/run1/artifacts").upload(file, "eval/metrics.json");
      String path = "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/eval/metrics.json";
      assertEquals(2, server.count(path));
      assertEquals("PUT", server.received().get(1).method());
      assertEquals("{}", server.received().get(1).body());
    }
  }

  @Test
  void aServerThatIsDownIsReportedClearly() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    TrackingConfig config =
        TrackingConfig.builder()
            .trackingUri("http://127.0.0.1:" + port)
            .basicAuth("alice", PASSWORD)
            .retryPolicy(new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(10)))
            .build();
    try (TrackingClient client = TrackingClient.create(config)) {
      TrackingServerUnreachableException e =
          assertThrows(
              TrackingServerUnreachableException.class,
              () -> client.getOrCreateExperiment("flights"));
      assertEquals(3, e.attempts());
      assertTrue(
          e.getMessage()
              .startsWith(
                  "Could not reach the MLflow tracking server at http://127.0.0.1:"
                      + port
                      + " after 3 attempts"),
          e.getMessage());
      assertFalse(e.getMessage().contains(PASSWORD));

      TrackingServerUnreachableException artifacts =
          assertThrows(
              TrackingServerUnreachableException.class,
              () -> client.storeFor("mlflow-artifacts:/1/r/artifacts").list(""));
      assertTrue(artifacts.getMessage().contains("after 3 attempts"), artifacts.getMessage());
    }
  }

  @Test
  void secretsNeverReachExceptionsOrLogs() throws IOException {
    // A hostile server that echoes the Authorization header in its error message.
    LocalHttpServer.Handler echo =
        (r, n) ->
            Answer.json(
                n == 1 ? 503 : 401,
                "{\"error_code\": \"UNAUTHENTICATED\", \"message\": \"bad credentials: "
                    + r.authorization()
                    + "\"}");
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (LocalHttpServer basic = new LocalHttpServer(echo);
        LocalHttpServer bearer = new LocalHttpServer(echo)) {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      TrackingConfig basicConfig =
          TrackingConfig.builder()
              .trackingUri(basic.uri())
              .basicAuth("alice", PASSWORD)
              .retryPolicy(FAST)
              .build();
      try (TrackingClient client = TrackingClient.create(basicConfig)) {
        TrackingException e =
            assertThrows(TrackingException.class, () -> client.findExperimentId("flights"));
        assertNoSecret(e.getMessage() + e, PASSWORD, basicConfig);
        assertTrue(e.getMessage().contains("bad credentials: ****"), e.getMessage());
        TrackingException raw =
            assertThrows(TrackingException.class, () -> client.deleteAlias("m", "champion"));
        assertNoSecret(raw.getMessage(), PASSWORD, basicConfig);
      }
      assertEquals(
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8)),
          basic.received().get(0).authorization());

      TrackingConfig tokenConfig =
          TrackingConfig.fromEnvironment(
                  Map.of("MLFLOW_TRACKING_URI", bearer.uri(), "MLFLOW_TRACKING_TOKEN", TOKEN))
              .toBuilder()
              .retryPolicy(FAST)
              .build();
      try (TrackingClient client = TrackingClient.create(tokenConfig)) {
        TrackingException e =
            assertThrows(TrackingException.class, () -> client.getModelVersion("m", 1));
        assertNoSecret(e.getMessage(), TOKEN, tokenConfig);
      }
      assertEquals("Bearer " + TOKEN, bearer.received().get(0).authorization());
    } finally {
      System.setErr(originalErr);
    }
    String logs = captured.toString(StandardCharsets.UTF_8);
    assertTrue(logs.contains("retrying"), "the 503 was logged: " + logs);
    assertFalse(logs.contains(PASSWORD), logs);
    assertFalse(logs.contains(TOKEN), logs);
    assertFalse(
        logs.contains(
            Base64.getEncoder()
                .encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8))),
        logs);
  }

  private static void assertNoSecret(String text, String secret, TrackingConfig config) {
    assertFalse(text.contains(secret), text);
    String header = config.authorizationHeader().orElseThrow();
    assertFalse(text.contains(header.substring(header.indexOf(' ') + 1)), text);
  }
}
