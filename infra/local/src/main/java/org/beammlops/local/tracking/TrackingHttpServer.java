package org.beammlops.local.tracking;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLConnection;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.mlflow.api.proto.MlflowArtifacts;
import org.mlflow.api.proto.ModelRegistry;
import org.mlflow.api.proto.Service;
import org.mlflow_project.databricks.Databricks;
import org.mlflow_project.google.protobuf.Descriptors.MethodDescriptor;
import org.mlflow_project.google.protobuf.Descriptors.ServiceDescriptor;
import org.mlflow_project.google.protobuf.Message;

/**
 * An MLflow-compatible tracking and registry server: MLflow's REST API 2.0 under {@code
 * /api/2.0/mlflow/} (and the UI's {@code /ajax-api/2.0/} aliases), the {@code mlflow-artifacts}
 * endpoints, and {@code /health}, on the JDK's HTTP server with a fixed pool of request threads.
 * Routes (paths and HTTP methods) are read from the RPC options of the proto services shipped in
 * {@code mlflow-client}, so they are MLflow's own.
 */
public final class TrackingHttpServer implements AutoCloseable {
  public static final String MLFLOW_VERSION = "2.17.2";
  private static final String ARTIFACTS_PATH = "/mlflow-artifacts/artifacts";
  private static final List<String> PREFIXES = List.of("/api/2.0", "/ajax-api/2.0");
  private static final long DRAIN_LIMIT = 256L * 1024 * 1024;

  static {
    // The JDK server writes a response's headers and body separately; with Nagle's algorithm on,
    // the body then waits for the client's delayed ACK (40 ms a request). Read once, at first use.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final TrackingServerConfig config;
  private final HttpServer server;
  private final ExecutorService executor;
  private final TrackingStore tracking;
  private final ArtifactStore artifacts;
  private final Map<String, Map<String, TrackingApi.Rpc>> routes = new HashMap<>();
  private final FileChannel lockChannel;
  private final FileLock lock;

  private TrackingHttpServer(TrackingServerConfig config) throws IOException {
    this.config = config;
    Path root = config.root();
    Files.createDirectories(root);
    lockChannel =
        FileChannel.open(
            root.resolve(".server.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock acquired = lockChannel.tryLock();
    if (acquired == null) {
      lockChannel.close();
      throw new IllegalStateException(
          "another tracking server already serves the store "
              + root
              + " ("
              + root.resolve(".server.lock")
              + " is locked)");
    }
    lock = acquired;
    Path tmp = root.resolve("tmp");
    StoreFiles.deleteTree(tmp); // leftovers of a killed server: never part of the store
    Files.createDirectories(tmp);
    StoreFiles files = new StoreFiles(tmp);
    Path mlruns = root.resolve("mlruns");
    tracking = new TrackingStore(mlruns, files);
    ModelRegistryStore registry = new ModelRegistryStore(mlruns, files, tracking);
    artifacts = new ArtifactStore(tracking, files);
    TrackingApi api = new TrackingApi(tracking, registry, artifacts);
    api.rpcs().values().forEach(this::route);
    server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 128);
    AtomicInteger count = new AtomicInteger();
    ThreadFactory threads =
        r -> {
          Thread t = new Thread(r, "tracking-http-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    executor = Executors.newFixedThreadPool(config.threads(), threads);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts a server; its store is created on first use. */
  public static TrackingHttpServer start(TrackingServerConfig config) {
    try {
      return new TrackingHttpServer(config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String url() {
    return "http://" + config.host() + ":" + port();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      // the process is going away
    }
  }

  // ---------------------------------------------------------------- routing

  private void route(TrackingApi.Rpc rpc) {
    ServiceDescriptor service =
        switch (rpc.service()) {
          case "MlflowService" -> Service.getDescriptor().findServiceByName(rpc.service());
          case "ModelRegistryService" ->
              ModelRegistry.getDescriptor().findServiceByName(rpc.service());
          default -> throw new IllegalArgumentException(rpc.service());
        };
    MethodDescriptor method = service.findMethodByName(rpc.method());
    if (method == null) {
      throw new IllegalStateException("no RPC " + rpc.service() + "." + rpc.method());
    }
    for (Databricks.HttpEndpoint endpoint :
        method.getOptions().getExtension(Databricks.rpc).getEndpointsList()) {
      routes
          .computeIfAbsent(endpoint.getPath(), p -> new LinkedHashMap<>())
          .put(endpoint.getMethod(), rpc);
    }
  }

  /** Every "METHOD /path" this server answers under /api/2.0 (for docs and tests). */
  public List<String> endpoints() {
    List<String> all = new ArrayList<>();
    routes.forEach((path, methods) -> methods.keySet().forEach(m -> all.add(m + " " + path)));
    all.add("GET " + ARTIFACTS_PATH);
    all.add("GET " + ARTIFACTS_PATH + "/<path>");
    all.add("PUT " + ARTIFACTS_PATH + "/<path>");
    all.add("DELETE " + ARTIFACTS_PATH + "/<path>");
    all.sort(null);
    return all;
  }

  private void handle(HttpExchange exchange) {
    try (exchange) {
      try {
        dispatch(exchange);
      } catch (MlflowError e) {
        if (e.status() >= 500) {
          System.err.println("tracking: " + e.errorCode() + ": " + e.getMessage());
        }
        if (e.status() == 413) {
          drain(exchange);
        }
        sendError(exchange, e);
      } catch (RuntimeException e) {
        e.printStackTrace();
        sendError(
            exchange,
            new MlflowError(
                MlflowError.INTERNAL_ERROR, e.getClass().getSimpleName() + ": " + e.getMessage()));
      }
    } catch (IOException e) {
      // the client went away mid-response; nothing left to tell it
    }
  }

  private void dispatch(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
    String rawPath = exchange.getRequestURI().getRawPath();
    String path = StoreFiles.percentDecode(rawPath);
    if (path.equals("/health")) {
      sendText(exchange, 200, "OK");
      return;
    }
    if (path.equals("/version")) {
      sendText(exchange, 200, MLFLOW_VERSION);
      return;
    }
    authenticate(exchange);
    String prefix = PREFIXES.stream().filter(rawPath::startsWith).findFirst().orElse(null);
    if (prefix == null) {
      throw new MlflowError(MlflowError.ENDPOINT_NOT_FOUND, "No endpoint " + method + " " + path);
    }
    String rawApiPath = rawPath.substring(prefix.length());
    String apiPath = path.substring(StoreFiles.percentDecode(prefix).length());
    if (apiPath.equals(ARTIFACTS_PATH) || rawApiPath.startsWith(ARTIFACTS_PATH + "/")) {
      artifactRequest(exchange, method, rawApiPath);
      return;
    }
    Map<String, TrackingApi.Rpc> byMethod = routes.get(apiPath);
    if (byMethod == null) {
      throw new MlflowError(MlflowError.ENDPOINT_NOT_FOUND, "No endpoint " + method + " " + path);
    }
    TrackingApi.Rpc rpc = byMethod.get(method);
    if (rpc == null) {
      throw new MlflowError(
          MlflowError.BAD_REQUEST,
          405,
          "Method " + method + " not allowed on " + path + "; use " + byMethod.keySet());
    }
    Message.Builder builder = rpc.request().get();
    ObjectNode json;
    if (method.equals("GET")) {
      json = ProtoJson.fromQuery(query(exchange), builder.getDescriptorForType());
    } else {
      json = jsonBody(exchange);
      if (json.isEmpty() && method.equals("DELETE")) {
        json = ProtoJson.fromQuery(query(exchange), builder.getDescriptorForType());
      }
    }
    checkRequired(json, rpc.required());
    Message response = rpc.handler().apply(ProtoJson.parse(json, builder).build());
    sendJson(exchange, 200, ProtoJson.print(response));
  }

  private void authenticate(HttpExchange exchange) {
    if (!config.authEnabled()) {
      return;
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    boolean ok = false;
    if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String decoded =
            new String(
                Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        if (colon >= 0) {
          ok =
              constantTimeEquals(decoded.substring(0, colon), config.username())
                  & constantTimeEquals(decoded.substring(colon + 1), config.password());
        }
      } catch (IllegalArgumentException e) {
        ok = false;
      }
    }
    if (!ok) {
      exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"mlflow\"");
      throw new MlflowError(
          MlflowError.UNAUTHENTICATED,
          401,
          "You are not authenticated. Please provide valid basic-auth credentials"
              + " (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD).");
    }
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------- requests

  private static Map<String, List<String>> query(HttpExchange exchange) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return params;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = StoreFiles.percentDecode(eq < 0 ? pair : pair.substring(0, eq), true);
      String value = eq < 0 ? "" : StoreFiles.percentDecode(pair.substring(eq + 1), true);
      params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return params;
  }

  private ObjectNode jsonBody(HttpExchange exchange) throws IOException {
    byte[] body = readBody(exchange, config.maxJsonBytes());
    if (body.length == 0) {
      return JsonNodeFactory.instance.objectNode();
    }
    JsonNode json;
    try {
      json = ProtoJson.MAPPER.readTree(body);
      if (json != null && json.isTextual()) {
        json = ProtoJson.MAPPER.readTree(json.asText()); // older clients double-encode
      }
    } catch (JsonProcessingException e) {
      throw MlflowError.badRequest(
          "Malformed JSON in request body: " + e.getOriginalMessage().replaceAll("\\s+", " "));
    }
    if (json == null || json.isNull() || json.isMissingNode()) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (!json.isObject()) {
      throw MlflowError.badRequest("The request body must be a JSON object");
    }
    return (ObjectNode) json;
  }

  private static byte[] readBody(HttpExchange exchange, long limit) throws IOException {
    checkDeclaredLength(exchange, limit);
    // Not closed here: on a refusal, handle() drains the rest of it.
    InputStream in = exchange.getRequestBody();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int n;
    while ((n = in.read(buffer)) > 0) {
      if (out.size() + n > limit) {
        exchange.getResponseHeaders().set("Connection", "close");
        throw MlflowError.tooLarge(limit);
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  /**
   * Reads and drops what is left of a refused body (up to {@link #DRAIN_LIMIT}), so the client,
   * still sending, gets to read the 413 instead of a connection reset.
   */
  private static void drain(HttpExchange exchange) {
    try {
      InputStream in = exchange.getRequestBody();
      byte[] buffer = new byte[1 << 16];
      long drained = 0;
      int n;
      while (drained < DRAIN_LIMIT && (n = in.read(buffer)) > 0) {
        drained += n;
      }
    } catch (IOException e) {
      // the client gave up; the connection is closed after the response anyway
    }
  }

  private static void checkDeclaredLength(HttpExchange exchange, long limit) {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > limit) {
          exchange.getResponseHeaders().set("Connection", "close");
          throw MlflowError.tooLarge(limit);
        }
      } catch (NumberFormatException e) {
        throw MlflowError.badRequest("Invalid Content-Length: " + length);
      }
    }
  }

  /**
   * MLflow's required-parameter check: absent, null or "" is missing ({@code run_uuid} stands in
   * for {@code run_id}); {@code list[].field} checks that field in every element.
   */
  private static void checkRequired(ObjectNode json, List<String> required) {
    for (String name : required) {
      int brackets = name.indexOf("[].");
      if (brackets > 0) {
        JsonNode list = json.get(name.substring(0, brackets));
        if (list != null && list.isArray()) {
          for (int i = 0; i < list.size(); i++) {
            String field = name.substring(brackets + 3);
            if (missing(list.get(i).get(field))) {
              throw missingParameter(name.substring(0, brackets) + "[" + i + "]." + field);
            }
          }
        }
        continue;
      }
      JsonNode value = json.get(name);
      if (name.equals("run_id") && missing(value)) {
        value = json.get("run_uuid");
      }
      if (missing(value)) {
        throw missingParameter(name);
      }
    }
  }

  private static boolean missing(JsonNode value) {
    return value == null || value.isNull() || (value.isTextual() && value.asText().isEmpty());
  }

  private static MlflowError missingParameter(String name) {
    return MlflowError.invalid(
        "Missing value for required parameter '"
            + name
            + "'. See the API docs for more information about request parameters.");
  }

  // ---------------------------------------------------------------- artifacts

  private void artifactRequest(HttpExchange exchange, String method, String rawApiPath)
      throws IOException {
    if (rawApiPath.equals(ARTIFACTS_PATH) || rawApiPath.equals(ARTIFACTS_PATH + "/")) {
      if (!method.equals("GET")) {
        throw new MlflowError(MlflowError.BAD_REQUEST, 405, "Use GET to list artifacts");
      }
      List<String> path = query(exchange).get("path");
      MlflowArtifacts.ListArtifacts.Response.Builder response =
          MlflowArtifacts.ListArtifacts.Response.newBuilder();
      for (Service.FileInfo info :
          artifacts.list(path == null || path.isEmpty() ? "" : path.get(0))) {
        MlflowArtifacts.FileInfo.Builder file =
            MlflowArtifacts.FileInfo.newBuilder().setPath(info.getPath()).setIsDir(info.getIsDir());
        if (info.hasFileSize()) {
          file.setFileSize(info.getFileSize());
        }
        response.addFiles(file);
      }
      sendJson(exchange, 200, ProtoJson.print(response));
      return;
    }
    String artifactPath =
        StoreFiles.percentDecode(rawApiPath.substring(ARTIFACTS_PATH.length() + 1));
    switch (method) {
      case "PUT" -> {
        checkDeclaredLength(exchange, config.maxArtifactBytes());
        try {
          artifacts.upload(artifactPath, exchange.getRequestBody(), config.maxArtifactBytes());
        } catch (MlflowError e) {
          if (e.status() == 413) {
            exchange.getResponseHeaders().set("Connection", "close");
          }
          throw e; // handle() drains the rest of a refused body before answering
        }
        sendJson(exchange, 200, "{}");
      }
      case "GET" -> download(exchange, artifacts.file(artifactPath));
      case "DELETE" -> {
        ArtifactStore.Location location = artifacts.resolve(artifactPath);
        if (!location.inArtifacts() || location.artifactsRoot()) {
          throw MlflowError.invalid("Invalid path '" + artifactPath + "'");
        }
        StoreFiles.deleteTree(location.path());
        sendJson(exchange, 200, "{}");
      }
      default ->
          throw new MlflowError(
              MlflowError.BAD_REQUEST, 405, "Method " + method + " not allowed on artifacts");
    }
  }

  private static void download(HttpExchange exchange, Path file) throws IOException {
    long size = Files.size(file);
    String name = file.getFileName().toString();
    exchange.getResponseHeaders().set("Content-Type", mimeType(name));
    exchange
        .getResponseHeaders()
        .set("Content-Disposition", "attachment; filename=" + name.replaceAll("[\\r\\n\";]", "_"));
    exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    exchange.sendResponseHeaders(200, size == 0 ? -1 : size);
    if (size > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        Files.copy(file, out);
      }
    }
  }

  static String mimeType(String name) {
    if (name.equals("MLmodel") || name.equals("MLproject")) {
      return "text/plain";
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".json")) {
      return "application/json";
    }
    if (lower.endsWith(".yaml")
        || lower.endsWith(".yml")
        || lower.endsWith(".txt")
        || lower.endsWith(".log")
        || lower.endsWith(".csv")) {
      return "text/plain";
    }
    String guess = URLConnection.guessContentTypeFromName(name);
    return guess == null ? "application/octet-stream" : guess;
  }

  // ---------------------------------------------------------------- responses

  private static void sendError(HttpExchange exchange, MlflowError error) throws IOException {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("error_code", error.errorCode());
    body.put("message", error.getMessage());
    sendJson(exchange, error.status(), body.toString());
  }

  private static void sendJson(HttpExchange exchange, int status, String json) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    send(exchange, status, json.getBytes(StandardCharsets.UTF_8));
  }

  private static void sendText(HttpExchange exchange, int status, String text) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    send(exchange, status, text.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int status, byte[] bytes) throws IOException {
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
