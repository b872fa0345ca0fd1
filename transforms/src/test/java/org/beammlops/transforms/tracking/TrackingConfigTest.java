package org.beammlops.transforms.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrackingConfigTest {
  private static final String PASSWORD = "pa55-w0rd-Secret!";
  private static final String TOKEN = "tok-abcdef-123456";

  @Test
  void defaultsToTheLocalServerWhenNothingIsSet() {
    TrackingConfig config = TrackingConfig.fromEnvironment(Map.of());
    assertEquals("http://127.0.0.1:5000", config.trackingUri().toString());
    assertFalse(config.hasCredentials());
    assertTrue(config.authorizationHeader().isEmpty());
    assertEquals(RetryPolicy.DEFAULT, config.retryPolicy());
    assertEquals(Duration.ofSeconds(120), config.requestTimeout());
    assertTrue(
        config.cacheDir().startsWith(System.getProperty("java.io.tmpdir")), config.toString());
  }

  @Test
  void emptyVariablesCountAsUnset() {
    TrackingConfig config =
        TrackingConfig.fromEnvironment(
            Map.of("MLFLOW_TRACKING_URI", "", "MLFLOW_TRACKING_TOKEN", ""));
    assertEquals("http://127.0.0.1:5000", config.trackingUri().toString());
    assertFalse(config.hasCredentials());
  }

  @Test
  void readsMlflowsVariables() {
    TrackingConfig config =
        TrackingConfig.fromEnvironment(
            Map.of(
                "MLFLOW_TRACKING_URI", "https://mlflow.example.com:8443/prefix/",
                "MLFLOW_TRACKING_USERNAME", "alice",
                "MLFLOW_TRACKING_PASSWORD", PASSWORD,
                "MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2",
                "MLFLOW_HTTP_REQUEST_TIMEOUT", "30"));
    assertEquals("https://mlflow.example.com:8443/prefix", config.trackingUri().toString());
    assertEquals("alice", config.username().orElseThrow());
    assertEquals(
        "Basic " + Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes()),
        config.authorizationHeader().orElseThrow());
    assertEquals(3, config.retryPolicy().maxAttempts());
    assertEquals(Duration.ofSeconds(30), config.requestTimeout());
  }

  @Test
  void tokenGivesABearerHeaderAndBasicAuthWins() {
    assertEquals(
        "Bearer " + TOKEN,
        TrackingConfig.fromEnvironment(Map.of("MLFLOW_TRACKING_TOKEN", TOKEN))
            .authorizationHeader()
            .orElseThrow());
    TrackingConfig both =
        TrackingConfig.fromEnvironment(
            Map.of(
                "MLFLOW_TRACKING_TOKEN", TOKEN,
                "MLFLOW_TRACKING_USERNAME", "alice",
                "MLFLOW_TRACKING_PASSWORD", PASSWORD));
    assertTrue(both.authorizationHeader().orElseThrow().startsWith("Basic "));
  }

  @Test
  void credentialsInTheUriMoveOutOfIt() {
    TrackingConfig config =
        TrackingConfig.builder().trackingUri("http://bob:" + PASSWORD + "@tracking:5000").build();
    assertEquals("http://tracking:5000", config.trackingUri().toString());
    assertEquals("bob", config.username().orElseThrow());
    assertFalse(config.toString().contains(PASSWORD), config.toString());
  }

  @Test
  void secretsNeverAppearInToString() {
    TrackingConfig config =
        TrackingConfig.fromEnvironment(
            Map.of(
                "MLFLOW_TRACKING_USERNAME", "alice",
                "MLFLOW_TRACKING_PASSWORD", PASSWORD,
                "MLFLOW_TRACKING_TOKEN", TOKEN));
    String text = config.toString();
    assertFalse(text.contains(PASSWORD), text);
    assertFalse(text.contains(TOKEN), text);
    assertTrue(text.contains("password=****"), text);
    assertTrue(text.contains("token=****"), text);
    String header = config.authorizationHeader().orElseThrow();
    assertEquals(
        "x **** y **** z ****",
        config.redact("x " + PASSWORD + " y " + TOKEN + " z " + header.substring(6)));
    try (TrackingClient client = TrackingClient.create(config)) {
      assertFalse(client.toString().contains(PASSWORD));
      assertFalse(client.toString().contains(TOKEN));
    }
  }

  @Test
  void rejectsBadConfigurationClearly() {
    String badScheme =
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    TrackingConfig.fromEnvironment(Map.of("MLFLOW_TRACKING_URI", "file:///mlruns")))
            .getMessage();
    assertTrue(badScheme.contains("http:// or https://"), badScheme);
    assertThrows(
        IllegalArgumentException.class,
        () -> TrackingConfig.fromEnvironment(Map.of("MLFLOW_TRACKING_URI", "databricks")));
    assertThrows(
        IllegalArgumentException.class,
        () -> TrackingConfig.fromEnvironment(Map.of("MLFLOW_TRACKING_URI", "http://")));
    assertThrows(
        IllegalArgumentException.class,
        () -> TrackingConfig.fromEnvironment(Map.of("MLFLOW_TRACKING_URI", "http://h:5000/?a=1")));
    String noPassword =
        assertThrows(
                IllegalArgumentException.class,
                () -> TrackingConfig.fromEnvironment(Map.of("MLFLOW_TRACKING_USERNAME", "alice")))
            .getMessage();
    assertTrue(noPassword.contains("MLFLOW_TRACKING_PASSWORD"), noPassword);
    String noUser =
        assertThrows(
                IllegalArgumentException.class,
                () -> TrackingConfig.fromEnvironment(Map.of("MLFLOW_TRACKING_PASSWORD", PASSWORD)))
            .getMessage();
    assertFalse(noUser.contains(PASSWORD), noUser);
    assertThrows(
        IllegalArgumentException.class,
        () -> TrackingConfig.fromEnvironment(Map.of("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "-1")));
    assertThrows(
        IllegalArgumentException.class,
        () -> TrackingConfig.fromEnvironment(Map.of("MLFLOW_HTTP_REQUEST_TIMEOUT", "soon")));
    String uriWithSecret =
        assertThrows(
                IllegalArgumentException.class,
                () -> TrackingConfig.builder().trackingUri("ftp://u:" + PASSWORD + "@h/").build())
            .getMessage();
    assertFalse(uriWithSecret.contains(PASSWORD), uriWithSecret);
  }

  @Test
  void transientFailuresAreRetriedAsThePolicySaysAndOthersNot() {
    RetryPolicy p = new RetryPolicy(6, Duration.ofMillis(1), Duration.ofMillis(4));
    TrackingHttp http =
        new TrackingHttp(
            TrackingConfig.builder().trackingUri("http://127.0.0.1:9").retryPolicy(p).build());
    int[] attempts = {0};
    TrackingServerUnreachableException down =
        assertThrows(
            TrackingServerUnreachableException.class,
            () ->
                http.call(
                    "GET x",
                    "http://127.0.0.1:9",
                    () -> {
                      attempts[0]++;
                      throw new java.net.ConnectException("Connection refused");
                    }));
    assertEquals(6, attempts[0]);
    assertEquals(6, down.attempts());
    attempts[0] = 0;
    TrackingException clientError =
        assertThrows(
            TrackingException.class,
            () ->
                http.call(
                    "GET x",
                    "http://127.0.0.1:9",
                    () -> {
                      attempts[0]++;
                      throw new HttpStatusException(400, "{\"error_code\":\"INVALID\"}");
                    }));
    assertEquals(1, attempts[0]);
    assertEquals(400, clientError.httpStatus());
    assertThrows(
        IllegalArgumentException.class, () -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO));
  }
}
