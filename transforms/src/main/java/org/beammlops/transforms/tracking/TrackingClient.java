package org.beammlops.transforms.tracking;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The pipelines' client of an MLflow tracking server and model registry: one object that holds the
 * one HTTP layer and the parts that use it, split by concern: {@link #runs()} (experiments, runs,
 * params, metrics, tags), {@link #registry()} (registered models, versions, aliases), {@link
 * #artifacts()} (a run's files, on the server's proxy or a Beam file system) and {@link #models()}
 * ({@code models:/} and {@code runs:/} URIs to local copies). It also answers each part's calls
 * itself, so that a caller needing several parts holds one client.
 *
 * <p>Every call retries transient failures with the configured {@link RetryPolicy} and fails with a
 * {@link TrackingException} (a {@link TrackingServerUnreachableException} when the server cannot be
 * reached); no message contains a password or token. Thread-safe.
 */
public final class TrackingClient
    implements Runs, ModelRegistry, Artifacts, ModelResolver, AutoCloseable {
  private final TrackingConfig config;
  private final ArtifactStores stores;
  private final MlflowRuns runs;
  private final MlflowModelRegistry registry;
  private final CachedModelResolver models;

  private TrackingClient(TrackingConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    TrackingHttp http = new TrackingHttp(config);
    this.stores = new ArtifactStores(http);
    this.runs = new MlflowRuns(http, stores);
    this.registry = new MlflowModelRegistry(http);
    this.models = new CachedModelResolver(registry, this, stores, config);
  }

  /** A client of the server {@code config} names. */
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

  /** Experiments, runs, params, metrics, tags. */
  public Runs runs() {
    return runs;
  }

  /** Registered models, versions, aliases, tags. */
  public ModelRegistry registry() {
    return registry;
  }

  /** A run's artifacts. */
  public Artifacts artifacts() {
    return this;
  }

  /** Model URIs to local copies. */
  public ModelResolver models() {
    return models;
  }

  /** The store behind an artifact URI (for tests of the stores). */
  ArtifactStore storeFor(String artifactUri) {
    return stores.storeFor(artifactUri);
  }

  /** Artifacts by artifact URI rather than run (for tests of the stores). */
  ArtifactStores stores() {
    return stores;
  }

  // ------------------------------------------------------------------------------------- runs

  @Override
  public Optional<String> findExperimentId(String name) {
    return runs.findExperimentId(name);
  }

  @Override
  public String getOrCreateExperiment(String name) {
    return runs.getOrCreateExperiment(name);
  }

  @Override
  public RunHandle startRun(String experimentId, String runName, Map<String, String> tags) {
    return runs.startRun(experimentId, runName, tags);
  }

  @Override
  public RunHandle startNestedRun(String parentRunId, String runName, Map<String, String> tags) {
    return runs.startNestedRun(parentRunId, runName, tags);
  }

  @Override
  public RunHandle attachRun(String runId) {
    return runs.attachRun(runId);
  }

  @Override
  public TrackedRun getRun(String runId) {
    return runs.getRun(runId);
  }

  @Override
  public List<TrackedRun> searchRuns(List<String> experimentIds, String filter, int maxResults) {
    return runs.searchRuns(experimentIds, filter, maxResults);
  }

  @Override
  public void endRun(String runId, RunStatus status) {
    runs.endRun(runId, status);
  }

  @Override
  public void logParam(String runId, String key, String value) {
    runs.logParam(runId, key, value);
  }

  @Override
  public void logMetric(String runId, MetricPoint point) {
    runs.logMetric(runId, point);
  }

  @Override
  public void setTag(String runId, String key, String value) {
    runs.setTag(runId, key, value);
  }

  @Override
  public void logBatch(
      String runId,
      Map<String, String> params,
      List<MetricPoint> metrics,
      Map<String, String> tags) {
    runs.logBatch(runId, params, metrics, tags);
  }

  @Override
  public List<MetricPoint> metricHistory(String runId, String key) {
    return runs.metricHistory(runId, key);
  }

  // -------------------------------------------------------------------------------- artifacts

  @Override
  public String artifactUri(String runId) {
    return runs.getRun(runId).artifactUri();
  }

  @Override
  public void logArtifact(String runId, Path file, String artifactDir) {
    stores.logArtifactTo(artifactUri(runId), file, artifactDir);
  }

  @Override
  public void logArtifacts(String runId, Path localDir, String artifactPath) {
    stores.logArtifactsTo(artifactUri(runId), localDir, artifactPath);
  }

  @Override
  public List<ArtifactInfo> listArtifacts(String runId, String path) {
    return stores.listArtifactsAt(artifactUri(runId), path);
  }

  @Override
  public Path downloadArtifacts(String runId, String path, Path destination) {
    return stores.downloadArtifactsFrom(artifactUri(runId), path, destination);
  }

  // --------------------------------------------------------------------------------- registry

  @Override
  public boolean ensureRegisteredModel(String name) {
    return registry.ensureRegisteredModel(name);
  }

  @Override
  public RegisteredModelVersion createModelVersion(
      String name, String source, String runId, Map<String, String> tags) {
    return registry.createModelVersion(name, source, runId, tags);
  }

  @Override
  public RegisteredModelVersion getModelVersion(String name, long version) {
    return registry.getModelVersion(name, version);
  }

  @Override
  public Optional<RegisteredModelVersion> getVersionByAlias(String name, String alias) {
    return registry.getVersionByAlias(name, alias);
  }

  @Override
  public void setAlias(String name, String alias, long version) {
    registry.setAlias(name, alias, version);
  }

  @Override
  public void deleteAlias(String name, String alias) {
    registry.deleteAlias(name, alias);
  }

  @Override
  public List<RegisteredModelVersion> searchModelVersions(String filter, int maxResults) {
    return registry.searchModelVersions(filter, maxResults);
  }

  @Override
  public void setModelVersionTag(String name, long version, String key, String value) {
    registry.setModelVersionTag(name, version, key, value);
  }

  @Override
  public void setRegisteredModelTag(String name, String key, String value) {
    registry.setRegisteredModelTag(name, key, value);
  }

  @Override
  public RegisteredModelVersion updateModelVersionDescription(
      String name, long version, String description) {
    return registry.updateModelVersionDescription(name, version, description);
  }

  @Override
  public String getModelVersionDownloadUri(String name, long version) {
    return registry.getModelVersionDownloadUri(name, version);
  }

  // ------------------------------------------------------------------------------- resolution

  @Override
  public ResolvedModel resolve(ModelUri uri) {
    return models.resolve(uri);
  }

  @Override
  public ResolvedModel resolve(ModelUri uri, Path cacheDir) {
    return models.resolve(uri, cacheDir);
  }

  /** Nothing to release: the JDK's HTTP client has no close() before Java 21. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "TrackingClient{" + config + "}";
  }
}
