package org.beammlops.transforms.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipelines' client of an MLflow tracking server and model registry, over {@code
 * org.mlflow:mlflow-client}: experiments, runs (nested through {@code mlflow.parentRunId}), params,
 * metrics, tags, batches, artifacts, registered models, versions and aliases, and resolution of
 * {@code models:/} and {@code runs:/} URIs to local copies.
 *
 * <p>Every call retries transient failures with the configured {@link RetryPolicy} and fails with a
 * {@link TrackingException} (a {@link TrackingServerUnreachableException} when the server cannot be
 * reached); no message contains a password or token. Thread-safe.
 */
public final class TrackingClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrackingClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** MLflow's per-request limits for {@code runs/log-batch}. */
  static final int MAX_BATCH_METRICS = 1000;

  static final int MAX_BATCH_PARAMS = 100;
  static final int MAX_BATCH_TAGS = 100;
  static final int MAX_BATCH_ENTITIES = 1000;

  private final TrackingConfig config;
  private final MlflowClient mlflow;
  private final Retrier retrier;
  private final RawHttp http;
  private final String target;

  private TrackingClient(TrackingConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.retrier = new Retrier(config);
    this.mlflow = MlflowClients.create(config);
    this.http = new RawHttp(config, retrier);
    this.target = config.trackingUri().toString();
  }

  public static TrackingClient create(TrackingConfig config) {
    return new TrackingClient(config);
  }

  /** A client configured from MLflow's environment variables ({@link TrackingConfig}). */
  public static TrackingClient fromEnvironment() {
    return create(TrackingConfig.fromEnvironment());
  }

  public TrackingConfig config() {
    return config;
  }

  // ---------------------------------------------------------------------------------- experiments

  /** The id of the experiment named {@code name}, if it exists (deleted ones included). */
  public Optional<String> findExperimentId(String name) {
    return findExperiment(name).map(Service.Experiment::getExperimentId);
  }

  /**
   * The id of the active experiment named {@code name}, created if absent. Fails on a deleted
   * experiment of that name (restore it or pick another name), as MLflow's {@code set_experiment}.
   */
  public String getOrCreateExperiment(String name) {
    requireText(name, "experiment name");
    for (int round = 0; round < 3; round++) {
      Optional<Service.Experiment> found = findExperiment(name);
      if (found.isPresent()) {
        Service.Experiment e = found.get();
        if ("deleted".equals(e.getLifecycleStage())) {
          throw new TrackingException(
              "Experiment '"
                  + name
                  + "' (id "
                  + e.getExperimentId()
                  + ") is deleted: restore it or choose another name",
              400,
              "INVALID_PARAMETER_VALUE",
              null);
        }
        return e.getExperimentId();
      }
      try {
        String id =
            retrier.call("POST experiments/create", target, () -> mlflow.createExperiment(name));
        LOG.info("Created MLflow experiment '{}' (id {})", name, id);
        return id;
      } catch (TrackingException e) {
        if (!e.isAlreadyExists()) {
          throw e;
        }
        // Someone else created it in between: look it up again.
      }
    }
    throw new TrackingException("Could not get or create experiment '" + name + "'");
  }

  private Optional<Service.Experiment> findExperiment(String name) {
    requireText(name, "experiment name");
    return retrier.call(
        "GET experiments/get-by-name", target, () -> mlflow.getExperimentByName(name));
  }

  // ----------------------------------------------------------------------------------------- runs

  /** Starts a run in {@code experimentId}. */
  public RunHandle startRun(String experimentId, String runName) {
    return startRun(experimentId, runName, Map.of());
  }

  /** Starts a run in {@code experimentId} with tags. */
  public RunHandle startRun(String experimentId, String runName, Map<String, String> tags) {
    return startRun(experimentId, runName, tags, null);
  }

  /**
   * Starts a run nested under {@code parentRunId} (tag {@code mlflow.parentRunId}), in the same
   * experiment as its parent.
   */
  public RunHandle startNestedRun(String parentRunId, String runName, Map<String, String> tags) {
    TrackedRun parent = getRun(parentRunId);
    return startRun(parent.experimentId(), runName, tags, parentRunId);
  }

  RunHandle startRun(
      String experimentId, String runName, Map<String, String> tags, String parentRunId) {
    requireText(experimentId, "experiment id");
    Service.CreateRun.Builder request =
        Service.CreateRun.newBuilder()
            .setExperimentId(experimentId)
            .setStartTime(System.currentTimeMillis());
    if (runName != null && !runName.isEmpty()) {
      request.setRunName(runName);
    }
    Map<String, String> allTags = new LinkedHashMap<>();
    String user = System.getProperty("user.name");
    if (user != null) {
      allTags.put("mlflow.user", user);
    }
    allTags.putAll(tags);
    if (parentRunId != null) {
      allTags.put(TrackedRun.PARENT_RUN_ID_TAG, parentRunId);
    }
    allTags.forEach(
        (k, v) -> request.addTags(Service.RunTag.newBuilder().setKey(k).setValue(v).build()));
    Service.CreateRun built = request.build();
    Service.RunInfo info = retrier.call("POST runs/create", target, () -> mlflow.createRun(built));
    return new RunHandle(
        this,
        info.getRunId(),
        info.getExperimentId(),
        info.getRunName(),
        info.getArtifactUri(),
        parentRunId,
        true);
  }

  /**
   * A handle on an existing run, e.g. to log into a training run from another pipeline. Closing it
   * does not end the run.
   */
  public RunHandle attachRun(String runId) {
    TrackedRun run = getRun(runId);
    return new RunHandle(
        this,
        run.runId(),
        run.experimentId(),
        run.runName(),
        run.artifactUri(),
        run.parentRunId().orElse(null),
        false);
  }

  public TrackedRun getRun(String runId) {
    requireText(runId, "run id");
    Service.Run run = retrier.call("GET runs/get", target, () -> mlflow.getRun(runId));
    return toTrackedRun(run);
  }

  /** Active runs of the experiments matching MLflow's search {@code filter} (null = all). */
  public List<TrackedRun> searchRuns(List<String> experimentIds, String filter, int maxResults) {
    if (maxResults < 1) {
      throw new IllegalArgumentException("maxResults must be at least 1");
    }
    List<TrackedRun> out = new ArrayList<>();
    org.mlflow.tracking.Page<Service.Run> page =
        retrier.call(
            "POST runs/search",
            target,
            () ->
                mlflow.searchRuns(
                    experimentIds,
                    filter,
                    Service.ViewType.ACTIVE_ONLY,
                    Math.min(maxResults, 1000)));
    while (true) {
      for (Service.Run run : page.getItems()) {
        if (out.size() < maxResults) {
          out.add(toTrackedRun(run));
        }
      }
      if (out.size() >= maxResults || !page.hasNextPage()) {
        return out;
      }
      org.mlflow.tracking.Page<Service.Run> current = page;
      page = retrier.call("POST runs/search", target, current::getNextPage);
    }
  }

  /** Ends a run with {@code status} (a terminal status) now. */
  public void endRun(String runId, RunStatus status) {
    requireText(runId, "run id");
    Objects.requireNonNull(status, "status");
    long now = System.currentTimeMillis();
    run("POST runs/update", () -> mlflow.setTerminated(runId, status.toProto(), now));
  }

  public void logParam(String runId, String key, String value) {
    requireText(runId, "run id");
    requireText(key, "param key");
    Objects.requireNonNull(value, "param value");
    run("POST runs/log-parameter", () -> mlflow.logParam(runId, key, value));
  }

  public void logMetric(String runId, MetricPoint point) {
    requireText(runId, "run id");
    Objects.requireNonNull(point, "point");
    run(
        "POST runs/log-metric",
        () ->
            mlflow.logMetric(
                runId, point.key(), point.value(), point.timestampMillis(), point.step()));
  }

  public void setTag(String runId, String key, String value) {
    requireText(runId, "run id");
    requireText(key, "tag key");
    Objects.requireNonNull(value, "tag value");
    run("POST runs/set-tag", () -> mlflow.setTag(runId, key, value));
  }

  /**
   * Logs params, metrics and tags with {@code runs/log-batch}, split into as many requests as
   * MLflow's limits need (1000 metrics, 100 params, 100 tags, 1000 entities a request).
   */
  public void logBatch(
      String runId,
      Map<String, String> params,
      List<MetricPoint> metrics,
      Map<String, String> tags) {
    requireText(runId, "run id");
    List<Service.Param> ps = new ArrayList<>();
    params.forEach((k, v) -> ps.add(Service.Param.newBuilder().setKey(k).setValue(v).build()));
    List<Service.RunTag> ts = new ArrayList<>();
    tags.forEach((k, v) -> ts.add(Service.RunTag.newBuilder().setKey(k).setValue(v).build()));
    List<Service.Metric> ms = new ArrayList<>();
    for (MetricPoint m : metrics) {
      ms.add(
          Service.Metric.newBuilder()
              .setKey(m.key())
              .setValue(m.value())
              .setTimestamp(m.timestampMillis())
              .setStep(m.step())
              .build());
    }
    int pi = 0;
    int ti = 0;
    int mi = 0;
    while (pi < ps.size() || ti < ts.size() || mi < ms.size()) {
      int pn = Math.min(MAX_BATCH_PARAMS, ps.size() - pi);
      int tn = Math.min(MAX_BATCH_TAGS, ts.size() - ti);
      int mn = Math.min(Math.min(MAX_BATCH_METRICS, MAX_BATCH_ENTITIES - pn - tn), ms.size() - mi);
      List<Service.Param> pChunk = ps.subList(pi, pi + pn);
      List<Service.RunTag> tChunk = ts.subList(ti, ti + tn);
      List<Service.Metric> mChunk = ms.subList(mi, mi + mn);
      run("POST runs/log-batch", () -> mlflow.logBatch(runId, mChunk, pChunk, tChunk));
      pi += pn;
      ti += tn;
      mi += mn;
    }
  }

  /** Every logged value of metric {@code key}, in the server's order. */
  public List<MetricPoint> metricHistory(String runId, String key) {
    requireText(runId, "run id");
    requireText(key, "metric key");
    List<Service.Metric> history =
        retrier.call("GET metrics/get-history", target, () -> mlflow.getMetricHistory(runId, key));
    List<MetricPoint> out = new ArrayList<>(history.size());
    for (Service.Metric m : history) {
      out.add(new MetricPoint(m.getKey(), m.getValue(), m.getTimestamp(), m.getStep()));
    }
    return out;
  }

  // ------------------------------------------------------------------------------------ artifacts

  /** The run's artifact root URI, e.g. {@code mlflow-artifacts:/1/<run>/artifacts}. */
  public String artifactUri(String runId) {
    return getRun(runId).artifactUri();
  }

  /** Uploads one file into the run's artifact directory {@code artifactDir} ("" = root). */
  public void logArtifact(String runId, Path file, String artifactDir) {
    logArtifactTo(artifactUri(runId), file, artifactDir);
  }

  void logArtifactTo(String artifactUri, Path file, String artifactDir) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("Not a file: " + file);
    }
    String dir = ArtifactPaths.checkRelative(artifactDir, "artifact path");
    storeFor(artifactUri).upload(file, ArtifactPaths.join(dir, file.getFileName().toString()));
  }

  /**
   * Uploads the files under {@code localDir} into the run's artifact directory {@code artifactPath}
   * ("" = root), keeping their relative paths.
   */
  public void logArtifacts(String runId, Path localDir, String artifactPath) {
    logArtifactsTo(artifactUri(runId), localDir, artifactPath);
  }

  void logArtifactsTo(String artifactUri, Path localDir, String artifactPath) {
    if (!Files.isDirectory(localDir)) {
      throw new IllegalArgumentException("Not a directory: " + localDir);
    }
    String dir = ArtifactPaths.checkRelative(artifactPath, "artifact path");
    storeFor(artifactUri).uploadTree(localDir, dir);
  }

  /** The immediate children of the run's artifact directory {@code path} ("" = root). */
  public List<ArtifactInfo> listArtifacts(String runId, String path) {
    return listArtifactsAt(artifactUri(runId), path);
  }

  List<ArtifactInfo> listArtifactsAt(String artifactUri, String path) {
    return storeFor(artifactUri).list(ArtifactPaths.checkRelative(path, "artifact path"));
  }

  /**
   * Downloads the run's artifact {@code path} (a directory tree or a file) to {@code destination},
   * which must not exist yet. Returns {@code destination}.
   */
  public Path downloadArtifacts(String runId, String path, Path destination) {
    return downloadArtifactsFrom(artifactUri(runId), path, destination);
  }

  Path downloadArtifactsFrom(String artifactUri, String path, Path destination) {
    if (Files.exists(destination)) {
      throw new IllegalArgumentException("Destination exists already: " + destination);
    }
    String rel = ArtifactPaths.checkRelative(path, "artifact path");
    ArtifactStore store = storeFor(artifactUri);
    store.downloadTree(rel, destination);
    return destination;
  }

  /**
   * The store behind an artifact URI: the server's {@code mlflow-artifacts} proxy for {@code
   * mlflow-artifacts:} (and {@code http(s)://.../api/2.0/mlflow-artifacts/artifacts/...}) URIs,
   * Beam {@code FileSystems} for everything else ({@code file://}, absolute paths, {@code gs://},
   * {@code s3://}).
   */
  ArtifactStore storeFor(String artifactUri) {
    requireText(artifactUri, "artifact URI");
    String lower = artifactUri.toLowerCase(Locale.ROOT);
    if (lower.startsWith("mlflow-artifacts:")) {
      URI uri = URI.create(artifactUri);
      String path = uri.getRawPath() == null ? "" : decodePath(uri.getRawPath());
      path = stripSlashes(path);
      String base;
      if (uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty()) {
        base = config.trackingUri().getScheme() + "://" + uri.getRawAuthority();
      } else {
        base = config.trackingUri().toString();
      }
      return new HttpArtifactStore(http, base, path);
    }
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      URI uri = URI.create(artifactUri);
      String rawPath = uri.getRawPath() == null ? "" : uri.getRawPath();
      int at = rawPath.indexOf(HttpArtifactStore.ENDPOINT);
      if (at < 0) {
        throw new TrackingException(
            "Unsupported artifact URI "
                + config.redact(artifactUri)
                + ": an http(s) artifact URI must point at a server's "
                + HttpArtifactStore.ENDPOINT
                + " endpoint");
      }
      String base = uri.getScheme() + "://" + uri.getRawAuthority() + rawPath.substring(0, at);
      String path =
          stripSlashes(decodePath(rawPath.substring(at + HttpArtifactStore.ENDPOINT.length())));
      return new HttpArtifactStore(http, base, path);
    }
    if (lower.startsWith("runs:") || lower.startsWith("models:")) {
      throw new IllegalArgumentException(
          "Not an artifact store URI: " + artifactUri + " (resolve it with resolve(...) instead)");
    }
    return new BeamArtifactStore(artifactUri);
  }

  // ------------------------------------------------------------------------------------- registry

  /** Creates registered model {@code name} unless it exists; true if it was created. */
  public boolean ensureRegisteredModel(String name) {
    requireText(name, "registered model name");
    ObjectNode body = JSON.createObjectNode().put("name", name);
    try {
      post("registered-models/create", body);
      LOG.info("Created registered model '{}'", name);
      return true;
    } catch (TrackingException e) {
      if (e.isAlreadyExists()) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Registers a new version of {@code name} (which must exist) from {@code source} (e.g. {@code
   * runs:/<run>/model}) and waits until it is {@code READY}.
   */
  public RegisteredModelVersion createModelVersion(
      String name, String source, String runId, Map<String, String> tags) {
    requireText(name, "registered model name");
    requireText(source, "source");
    ObjectNode body = JSON.createObjectNode().put("name", name).put("source", source);
    if (runId != null) {
      body.put("run_id", runId);
    }
    if (!tags.isEmpty()) {
      ArrayNode array = body.putArray("tags");
      tags.forEach((k, v) -> array.addObject().put("key", k).put("value", v));
    }
    RegisteredModelVersion created =
        toVersion(post("model-versions/create", body).path("model_version"));
    return awaitReady(created);
  }

  private RegisteredModelVersion awaitReady(RegisteredModelVersion version) {
    long deadline = System.nanoTime() + config.registrationTimeout().toNanos();
    long waitMs = 100;
    RegisteredModelVersion current = version;
    while ("PENDING_REGISTRATION".equals(current.status())) {
      if (System.nanoTime() > deadline) {
        throw new TrackingException(
            "Model version "
                + current.uri()
                + " still PENDING_REGISTRATION after "
                + config.registrationTimeout());
      }
      try {
        Thread.sleep(waitMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TrackingException("Interrupted while waiting for " + current.uri(), e);
      }
      waitMs = Math.min(waitMs * 2, 2000);
      current = getModelVersion(current.name(), current.version());
    }
    if ("FAILED_REGISTRATION".equals(current.status())) {
      throw new TrackingException("Registration of " + current.uri() + " failed");
    }
    return current;
  }

  public RegisteredModelVersion getModelVersion(String name, long version) {
    requireText(name, "registered model name");
    JsonNode node =
        get("model-versions/get", Map.of("name", name, "version", Long.toString(version)));
    return toVersion(node.path("model_version"));
  }

  /** The version alias {@code alias} of {@code name} points at, empty if there is none. */
  public Optional<RegisteredModelVersion> getVersionByAlias(String name, String alias) {
    requireText(name, "registered model name");
    requireText(alias, "alias");
    try {
      JsonNode node = get("registered-models/alias", Map.of("name", name, "alias", alias));
      return Optional.of(toVersion(node.path("model_version")));
    } catch (TrackingException e) {
      // MLflow's stores answer an unknown alias with INVALID_PARAMETER_VALUE "Registered model
      // alias <alias> not found." and an unknown model with RESOURCE_DOES_NOT_EXIST.
      if (e.isNotFound()
          || (e.httpStatus() == 400
              && "INVALID_PARAMETER_VALUE".equals(e.errorCode().orElse(""))
              && e.getMessage().contains("not found"))) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Points {@code alias} of {@code name} at {@code version} (moving it if it pointed elsewhere).
   */
  public void setAlias(String name, String alias, long version) {
    requireText(name, "registered model name");
    requireText(alias, "alias");
    ObjectNode body =
        JSON.createObjectNode()
            .put("name", name)
            .put("alias", alias)
            .put("version", Long.toString(version));
    post("registered-models/alias", body);
  }

  /** Removes {@code alias} from {@code name}. */
  public void deleteAlias(String name, String alias) {
    requireText(name, "registered model name");
    requireText(alias, "alias");
    // mlflow-client has no DELETE: send it ourselves, with the fields both in the query (what
    // MLflow's REST docs show) and in the JSON body (what MLflow's Python client sends).
    String json = JSON.createObjectNode().put("name", name).put("alias", alias).toString();
    URI uri =
        URI.create(
            target
                + "/api/2.0/mlflow/registered-models/alias?name="
                + ArtifactPaths.encode(name)
                + "&alias="
                + ArtifactPaths.encode(alias));
    http.send("DELETE registered-models/alias", "DELETE", uri, "application/json", json);
  }

  /**
   * Model versions matching MLflow's search {@code filter} (e.g. {@code name='flights'}), at most
   * {@code maxResults}, following pages.
   */
  public List<RegisteredModelVersion> searchModelVersions(String filter, int maxResults) {
    if (maxResults < 1) {
      throw new IllegalArgumentException("maxResults must be at least 1");
    }
    List<RegisteredModelVersion> out = new ArrayList<>();
    String pageToken = null;
    do {
      Map<String, String> query = new LinkedHashMap<>();
      if (filter != null && !filter.isEmpty()) {
        query.put("filter", filter);
      }
      query.put("max_results", Integer.toString(Math.min(maxResults - out.size(), 10_000)));
      if (pageToken != null) {
        query.put("page_token", pageToken);
      }
      JsonNode node = get("model-versions/search", query);
      for (JsonNode v : node.path("model_versions")) {
        if (out.size() < maxResults) {
          out.add(toVersion(v));
        }
      }
      pageToken = node.path("next_page_token").asText("");
    } while (!pageToken.isEmpty() && out.size() < maxResults);
    return out;
  }

  public void setModelVersionTag(String name, long version, String key, String value) {
    requireText(name, "registered model name");
    requireText(key, "tag key");
    ObjectNode body =
        JSON.createObjectNode()
            .put("name", name)
            .put("version", Long.toString(version))
            .put("key", key)
            .put("value", value);
    post("model-versions/set-tag", body);
  }

  public void setRegisteredModelTag(String name, String key, String value) {
    requireText(name, "registered model name");
    requireText(key, "tag key");
    ObjectNode body = JSON.createObjectNode().put("name", name).put("key", key).put("value", value);
    post("registered-models/set-tag", body);
  }

  /** Sets a version's description ({@code PATCH model-versions/update}). */
  public RegisteredModelVersion updateModelVersionDescription(
      String name, long version, String description) {
    requireText(name, "registered model name");
    ObjectNode body =
        JSON.createObjectNode()
            .put("name", name)
            .put("version", Long.toString(version))
            .put("description", description == null ? "" : description);
    String answer =
        retrier.call(
            "PATCH model-versions/update",
            target,
            () -> mlflow.sendPatch("model-versions/update", body.toString()));
    JsonNode node = parse(answer, "model-versions/update").path("model_version");
    return node.isMissingNode() ? getModelVersion(name, version) : toVersion(node);
  }

  /** Where the registry says a version's files are ({@code model-versions/get-download-uri}). */
  public String getModelVersionDownloadUri(String name, long version) {
    requireText(name, "registered model name");
    JsonNode node =
        get(
            "model-versions/get-download-uri",
            Map.of("name", name, "version", Long.toString(version)));
    return node.path("artifact_uri").asText("");
  }

  // ----------------------------------------------------------------------------------- resolution

  /** {@link #resolve(ModelUri)} of {@link ModelUri#parse(String)}, returning the local path. */
  public Path localCopy(String modelUri) {
    return resolve(ModelUri.parse(modelUri)).localPath();
  }

  /** Resolves {@code uri} to a local copy under {@link TrackingConfig#cacheDir()}. */
  public ResolvedModel resolve(ModelUri uri) {
    return resolve(uri, config.cacheDir());
  }

  /**
   * Resolves {@code uri} to a local copy under {@code cacheDir}.
   *
   * <p>An alias is looked up on every call (it moves); the files of a registered version, or of a
   * run's artifact path, are downloaded once and reused from the cache afterwards (MLflow never
   * changes a version's files; a run's artifacts are assumed written once). Copies appear
   * atomically: a half-downloaded copy is never visible, concurrent resolvers are safe.
   */
  public ResolvedModel resolve(ModelUri uri, Path cacheDir) {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(cacheDir, "cacheDir");
    if (uri instanceof ModelUri.RegisteredAlias a) {
      RegisteredModelVersion v =
          getVersionByAlias(a.name(), a.alias())
              .orElseThrow(
                  () ->
                      new TrackingException(
                          "Cannot resolve "
                              + a
                              + ": registered model '"
                              + a.name()
                              + "' has no alias '"
                              + a.alias()
                              + "' (or the model does not exist)",
                          404,
                          "RESOURCE_DOES_NOT_EXIST",
                          null));
      return resolveVersion(uri, v, cacheDir);
    }
    if (uri instanceof ModelUri.RegisteredVersion rv) {
      return resolveVersion(uri, getModelVersion(rv.name(), rv.version()), cacheDir);
    }
    ModelUri.RunArtifact ra = (ModelUri.RunArtifact) uri;
    String location =
        ArtifactPaths.join(ArtifactPaths.stripTrailingSlashes(artifactUri(ra.runId())), ra.path());
    Path key =
        cacheDir
            .resolve("runs")
            .resolve(LocalCopies.safeName(ra.runId()))
            .resolve(ra.path().isEmpty() ? "_root" : LocalCopies.safeName(ra.path()));
    return new ResolvedModel(
        uri, null, location, LocalCopies.copyOf(location, key, cacheDir, this::storeFor));
  }

  private ResolvedModel resolveVersion(ModelUri uri, RegisteredModelVersion v, Path cacheDir) {
    String location = downloadLocation(v);
    // Name and version alone do not name one model: another tracking server, or a store that was
    // reset, has its own version 1 of the same name, and the cache is shared by every client of
    // this machine's user. Where the files come from tells them apart. (A sibling of the older
    // <name>/<version> copies, never inside one.)
    Path key =
        cacheDir
            .resolve("models")
            .resolve(LocalCopies.safeName(v.name()))
            .resolve(LocalCopies.safeName(v.version() + " " + target + " " + location));
    return new ResolvedModel(
        uri, v, location, LocalCopies.copyOf(location, key, cacheDir, this::storeFor));
  }

  /** The artifact-store URI of a version's files, following {@code runs:/} indirections. */
  private String downloadLocation(RegisteredModelVersion v) {
    String uri;
    try {
      uri = getModelVersionDownloadUri(v.name(), v.version());
    } catch (TrackingException e) {
      if (e.httpStatus() != 404 && e.httpStatus() != 501) {
        throw e;
      }
      uri = "";
    }
    if (uri.isEmpty()) {
      uri = v.source();
    }
    if (uri == null || uri.isEmpty()) {
      throw new TrackingException("Model version " + v.uri() + " has no source");
    }
    if (uri.startsWith("runs:")) {
      ModelUri.RunArtifact ra = (ModelUri.RunArtifact) ModelUri.parse(uri);
      return ArtifactPaths.join(
          ArtifactPaths.stripTrailingSlashes(artifactUri(ra.runId())), ra.path());
    }
    if (uri.startsWith("models:")) {
      throw new TrackingException(
          "Model version " + v.uri() + " points at another registry URI (" + uri + ")");
    }
    return uri;
  }

  // ----------------------------------------------------------------------------------- plumbing

  private JsonNode post(String endpoint, ObjectNode body) {
    String json = body.toString();
    String answer = retrier.call("POST " + endpoint, target, () -> mlflow.sendPost(endpoint, json));
    return parse(answer, endpoint);
  }

  private JsonNode get(String endpoint, Map<String, String> query) {
    StringBuilder path = new StringBuilder(endpoint);
    char sep = '?';
    for (Map.Entry<String, String> e : query.entrySet()) {
      path.append(sep)
          .append(ArtifactPaths.encode(e.getKey()))
          .append('=')
          .append(ArtifactPaths.encode(e.getValue()));
      sep = '&';
    }
    String answer = retrier.call("GET " + endpoint, target, () -> mlflow.sendGet(path.toString()));
    return parse(answer, endpoint);
  }

  private JsonNode parse(String answer, String endpoint) {
    try {
      JsonNode node = JSON.readTree(answer == null || answer.isBlank() ? "{}" : answer);
      return node == null ? JSON.createObjectNode() : node;
    } catch (IOException e) {
      throw new TrackingException(
          endpoint + " on " + target + " returned invalid JSON: " + e.getMessage());
    }
  }

  static RegisteredModelVersion toVersion(JsonNode v) {
    if (v == null || v.isMissingNode() || !v.isObject()) {
      throw new TrackingException("The registry answered without a model_version");
    }
    List<String> aliases = new ArrayList<>();
    v.path("aliases").forEach(a -> aliases.add(a.asText()));
    Map<String, String> tags = new LinkedHashMap<>();
    v.path("tags").forEach(t -> tags.put(t.path("key").asText(), t.path("value").asText("")));
    String runId = v.hasNonNull("run_id") ? v.get("run_id").asText() : null;
    if (runId != null && runId.isEmpty()) {
      runId = null;
    }
    return new RegisteredModelVersion(
        v.path("name").asText(),
        v.path("version").asLong(),
        v.path("source").asText(""),
        runId,
        v.path("status").asText("READY"),
        v.path("description").asText(""),
        v.path("creation_timestamp").asLong(0),
        v.path("last_updated_timestamp").asLong(0),
        aliases,
        tags);
  }

  private static TrackedRun toTrackedRun(Service.Run run) {
    Service.RunInfo info = run.getInfo();
    Map<String, String> params = new LinkedHashMap<>();
    run.getData().getParamsList().forEach(p -> params.put(p.getKey(), p.getValue()));
    Map<String, Double> metrics = new LinkedHashMap<>();
    run.getData().getMetricsList().forEach(m -> metrics.put(m.getKey(), m.getValue()));
    Map<String, String> tags = new LinkedHashMap<>();
    run.getData().getTagsList().forEach(t -> tags.put(t.getKey(), t.getValue()));
    return new TrackedRun(
        info.getRunId(),
        info.getExperimentId(),
        info.getRunName(),
        RunStatus.fromProto(info.getStatus()),
        info.getStartTime(),
        info.hasEndTime() ? info.getEndTime() : 0,
        info.getArtifactUri(),
        info.getLifecycleStage(),
        params,
        metrics,
        tags);
  }

  private static String stripSlashes(String s) {
    String out = s;
    while (out.startsWith("/")) {
      out = out.substring(1);
    }
    while (out.endsWith("/")) {
      out = out.substring(0, out.length() - 1);
    }
    return out;
  }

  private static String decodePath(String raw) {
    return URI.create("x:" + (raw.startsWith("/") ? raw : "/" + raw)).getPath();
  }

  private static void requireText(String value, String what) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
  }

  @Override
  public void close() {
    mlflow.close();
    http.close();
  }

  @Override
  public String toString() {
    return "TrackingClient{" + config + "}";
  }

  /** A call made for its effect, retried like every other. */
  private interface Action {
    void run() throws Exception;
  }

  private void run(String operation, Action action) {
    retrier.call(
        operation,
        target,
        () -> {
          action.run();
          return null;
        });
  }
}
