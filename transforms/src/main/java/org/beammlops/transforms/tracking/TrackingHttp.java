package org.beammlops.transforms.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.util.BackOff;
import org.apache.beam.sdk.util.FluentBackoff;
import org.apache.beam.sdk.util.Sleeper;
import org.mlflow_project.google.protobuf.InvalidProtocolBufferException;
import org.mlflow_project.google.protobuf.Message;
import org.mlflow_project.google.protobuf.MessageOrBuilder;
import org.mlflow_project.google.protobuf.util.JsonFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one HTTP client of the tracking client: the JDK's, with time-outs, the configured credentials
 * and no redirects (credentials must not follow a request elsewhere). It speaks MLflow's REST API
 * with mlflow-client's own request and response messages ({@code org.mlflow.api.proto.Service}) in
 * MLflow's JSON form, and plain HTTP for the artifact proxy. Every call is retried as {@link
 * RetryPolicy} says, with Beam's {@link FluentBackoff}.
 */
final class TrackingHttp {
  private static final Logger LOG = LoggerFactory.getLogger(TrackingHttp.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String API = "/api/2.0/mlflow/";
  private static final int MAX_ERROR_BODY = 64 * 1024;
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  private final TrackingConfig config;
  private final HttpClient client;
  private final String target;

  TrackingHttp(TrackingConfig config) {
    this.config = config;
    this.target = config.trackingUri().toString();
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  TrackingConfig config() {
    return config;
  }

  /** The server, for messages. */
  String target() {
    return target;
  }

  // ------------------------------------------------------------------------- MLflow's REST API

  /** {@code GET <api>/<endpoint>?<query>} as JSON. */
  JsonNode get(String endpoint, Map<String, String> query) {
    return json(endpoint, send("GET " + endpoint, "GET", api(endpoint, query), null, null));
  }

  /** {@code <method> <api>/<endpoint>?<query>} with a JSON body, the answer as JSON. */
  JsonNode send(String method, String endpoint, Map<String, String> query, String json) {
    return json(
        endpoint, send(method + " " + endpoint, method, api(endpoint, query), JSON_TYPE, json));
  }

  /** A GET whose answer is read into {@code response}, one of mlflow-client's messages. */
  <B extends Message.Builder> B get(String endpoint, Map<String, String> query, B response) {
    return proto(
        endpoint, send("GET " + endpoint, "GET", api(endpoint, query), null, null), response);
  }

  /**
   * A POST of {@code request}, one of mlflow-client's messages; the answer read into {@code
   * response}.
   */
  <B extends Message.Builder> B post(String endpoint, MessageOrBuilder request, B response) {
    String body;
    try {
      body = PRINTER.print(request);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "cannot write " + endpoint + " as JSON: " + e.getMessage());
    }
    return proto(
        endpoint,
        send("POST " + endpoint, "POST", api(endpoint, Map.of()), JSON_TYPE, body),
        response);
  }

  private static final String JSON_TYPE = "application/json";

  private URI api(String endpoint, Map<String, String> query) {
    StringBuilder uri = new StringBuilder(target).append(API).append(endpoint);
    char sep = '?';
    for (Map.Entry<String, String> e : query.entrySet()) {
      uri.append(sep)
          .append(ArtifactPaths.encode(e.getKey()))
          .append('=')
          .append(ArtifactPaths.encode(e.getValue()));
      sep = '&';
    }
    return URI.create(uri.toString());
  }

  private JsonNode json(String endpoint, String answer) {
    try {
      JsonNode node = JSON.readTree(answer == null || answer.isBlank() ? "{}" : answer);
      return node == null ? JSON.createObjectNode() : node;
    } catch (IOException e) {
      throw new TrackingException(
          endpoint + " on " + target + " returned invalid JSON: " + e.getMessage());
    }
  }

  private <B extends Message.Builder> B proto(String endpoint, String answer, B response) {
    try {
      PARSER.merge(answer == null || answer.isBlank() ? "{}" : answer, response);
      return response;
    } catch (InvalidProtocolBufferException e) {
      throw new TrackingException(
          endpoint
              + " on "
              + target
              + " returned an answer MLflow's client cannot read: "
              + e.getMessage());
    }
  }

  // ------------------------------------------------------------------------------- plain HTTP

  /** Sends a request with a string body (may be null) and returns the answer's body. */
  String send(String operation, String method, URI uri, String contentType, String body) {
    return call(
        operation,
        target(uri),
        () -> {
          HttpRequest.BodyPublisher publisher =
              body == null
                  ? HttpRequest.BodyPublishers.noBody()
                  : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8);
          HttpRequest.Builder request = request(uri).method(method, publisher);
          if (contentType != null) {
            request.header("Content-Type", contentType);
          }
          HttpResponse<String> response =
              client.send(
                  request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
          check(response.statusCode(), response.body());
          return response.body();
        });
  }

  /** PUTs a local file. */
  void upload(String operation, URI uri, Path file) {
    call(
        operation,
        target(uri),
        () -> {
          HttpRequest request =
              request(uri)
                  .header("Content-Type", "application/octet-stream")
                  .PUT(HttpRequest.BodyPublishers.ofFile(file))
                  .build();
          HttpResponse<String> response =
              client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
          check(response.statusCode(), response.body());
          return null;
        });
  }

  /** GETs into {@code target} (written to a temporary sibling first, then moved into place). */
  void download(String operation, URI uri, Path target) {
    call(
        operation,
        target(uri),
        () -> {
          Path parent = target.toAbsolutePath().getParent();
          Files.createDirectories(parent);
          Path tmp = Files.createTempFile(parent, ".download-", ".part");
          try {
            HttpResponse<InputStream> response =
                client.send(request(uri).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
              if (response.statusCode() < 200 || response.statusCode() > 299) {
                byte[] head = in.readNBytes(MAX_ERROR_BODY);
                check(response.statusCode(), new String(head, StandardCharsets.UTF_8));
              }
              Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
          } finally {
            Files.deleteIfExists(tmp);
          }
          return null;
        });
  }

  private HttpRequest.Builder request(URI uri) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .timeout(config.requestTimeout())
            .header("User-Agent", "beam-mlops-tracking-client");
    config.authorizationHeader().ifPresent(h -> b.header("Authorization", h));
    return b;
  }

  private static void check(int status, String body) throws HttpStatusException {
    if (status < 200 || status > 299) {
      throw new HttpStatusException(status, body);
    }
  }

  /** scheme://host:port of {@code uri}, for messages. */
  static String target(URI uri) {
    return uri.getScheme() + "://" + uri.getRawAuthority();
  }

  // ---------------------------------------------------------------------------------- retries

  /**
   * Runs {@code attempt}, retrying transient failures with exponential backoff (Beam's {@link
   * FluentBackoff}, jittered) up to the policy's attempts; any failure ends as a redacted {@link
   * TrackingException}.
   */
  <T> T call(String operation, String target, Callable<T> attempt) {
    RetryPolicy policy = config.retryPolicy();
    BackOff backoff =
        policy.maxAttempts() <= 1
            ? BackOff.STOP_BACKOFF
            : FluentBackoff.DEFAULT
                .withMaxRetries(policy.maxAttempts() - 1)
                .withExponent(2.0)
                .withInitialBackoff(millis(policy.initialBackoff()))
                .withMaxBackoff(millis(policy.maxBackoff()))
                .backoff();
    for (int n = 1; ; n++) {
      try {
        return attempt.call();
      } catch (Exception e) {
        HttpFailure failure = HttpFailure.of(e);
        long wait = failure.isTransient() ? nextBackOff(backoff) : BackOff.STOP;
        if (wait == BackOff.STOP) {
          throw failure.toException(operation, target, n, config);
        }
        LOG.warn(
            "{} on {} failed (attempt {} of {}): {}; retrying in {} ms",
            operation,
            target,
            n,
            policy.maxAttempts(),
            config.redact(failure.describe()),
            wait);
        try {
          Sleeper.DEFAULT.sleep(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new TrackingException(
              "Interrupted while retrying " + operation + " on " + target, ie);
        }
      }
    }
  }

  private static long nextBackOff(BackOff backoff) {
    try {
      return backoff.nextBackOffMillis();
    } catch (IOException e) {
      return BackOff.STOP;
    }
  }

  private static org.joda.time.Duration millis(java.time.Duration d) {
    return org.joda.time.Duration.millis(Math.max(1, d.toMillis()));
  }
}
