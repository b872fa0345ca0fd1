package org.beammlops.transforms.tracking;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Plain HTTP for what mlflow-client cannot do: {@code mlflow-artifacts} uploads and downloads and
 * requests with methods other than GET, POST and PATCH. Adds the configured credentials, retries
 * with the {@link Retrier}.
 */
final class RawHttp implements AutoCloseable {
  private static final int MAX_ERROR_BODY = 64 * 1024;

  private final TrackingConfig config;
  private final Retrier retrier;
  private final HttpClient client;

  RawHttp(TrackingConfig config, Retrier retrier) {
    this.config = config;
    this.retrier = retrier;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.connectTimeout())
            // No redirects: credentials must not follow a request to another origin.
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  TrackingConfig config() {
    return config;
  }

  /** Sends a request with a string body (may be null) and returns the answer's body. */
  String send(String operation, String method, URI uri, String contentType, String body) {
    return retrier.call(
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
    retrier.call(
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
    retrier.call(
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

  @Override
  public void close() {
    // java.net.http.HttpClient has no close() before Java 21; its threads are daemons.
  }
}
