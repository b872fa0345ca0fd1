package org.beammlops.transforms.tracking;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A run being logged into. Started by {@link TrackingClient#startRun} (or {@link #startChildRun}),
 * it must be ended explicitly with {@link #finish()} (or {@link #end}); {@link #close()} ends a run
 * still running as {@code FAILED}, so that a try-with-resources block left by an exception never
 * leaves a run RUNNING:
 *
 * <pre>{@code
 * try (RunHandle run = client.startRun(experimentId, "train")) {
 *   run.logParam("learner", "xgboost");
 *   run.logMetric("rmse", 12.5);
 *   run.finish();
 * }
 * }</pre>
 *
 * Thread-safe as far as the server is: logging calls can come from several threads.
 */
public final class RunHandle implements AutoCloseable {
  private final MlflowRuns runs;
  private final ArtifactStores artifacts;
  private final String runId;
  private final String experimentId;
  private final String runName;
  private final String artifactUri;
  private final String parentRunId;
  private final boolean owned;
  private volatile RunStatus endedWith;

  RunHandle(
      MlflowRuns runs,
      ArtifactStores artifacts,
      String runId,
      String experimentId,
      String runName,
      String artifactUri,
      String parentRunId,
      boolean owned) {
    this.runs = Objects.requireNonNull(runs, "runs");
    this.artifacts = Objects.requireNonNull(artifacts, "artifacts");
    this.runId = Objects.requireNonNull(runId, "runId");
    this.experimentId = experimentId;
    this.runName = runName;
    this.artifactUri = artifactUri;
    this.parentRunId = parentRunId;
    this.owned = owned;
  }

  public String runId() {
    return runId;
  }

  public String experimentId() {
    return experimentId;
  }

  public String runName() {
    return runName;
  }

  /** The run's artifact root, e.g. {@code mlflow-artifacts:/1/<run>/artifacts}. */
  public String artifactUri() {
    return artifactUri;
  }

  public Optional<String> parentRunId() {
    return Optional.ofNullable(parentRunId);
  }

  /** {@code runs:/<run_id>/<path>}. */
  public ModelUri.RunArtifact artifact(String path) {
    return new ModelUri.RunArtifact(runId, path);
  }

  /** The status this handle ended the run with, if it did. */
  public Optional<RunStatus> endedWith() {
    return Optional.ofNullable(endedWith);
  }

  // ------------------------------------------------------------------------------------- logging

  public RunHandle logParam(String key, String value) {
    runs.logParam(runId, key, value);
    return this;
  }

  /** Logs params in batches. */
  public RunHandle logParams(Map<String, String> params) {
    runs.logBatch(runId, params, List.of(), Map.of());
    return this;
  }

  /** Logs a value at step 0, now. */
  public RunHandle logMetric(String key, double value) {
    runs.logMetric(runId, MetricPoint.of(key, value));
    return this;
  }

  /** Logs a value at {@code step}, now. */
  public RunHandle logMetric(String key, double value, long step) {
    runs.logMetric(runId, MetricPoint.of(key, value, step));
    return this;
  }

  public RunHandle logMetric(MetricPoint point) {
    runs.logMetric(runId, point);
    return this;
  }

  /** Logs metric points in batches. */
  public RunHandle logMetrics(List<MetricPoint> points) {
    runs.logBatch(runId, Map.of(), points, Map.of());
    return this;
  }

  public RunHandle setTag(String key, String value) {
    runs.setTag(runId, key, value);
    return this;
  }

  /** Logs params, metrics and tags with as few {@code runs/log-batch} requests as allowed. */
  public RunHandle logBatch(
      Map<String, String> params, List<MetricPoint> metrics, Map<String, String> tags) {
    runs.logBatch(runId, params, metrics, tags);
    return this;
  }

  // ----------------------------------------------------------------------------------- artifacts

  /** Uploads one file into artifact directory {@code artifactDir} ("" = root). */
  public RunHandle logArtifact(Path file, String artifactDir) {
    artifacts.logArtifactTo(artifactUri(), file, artifactDir);
    return this;
  }

  /** Uploads a directory tree into artifact directory {@code artifactPath} ("" = root). */
  public RunHandle logArtifacts(Path localDir, String artifactPath) {
    artifacts.logArtifactsTo(artifactUri(), localDir, artifactPath);
    return this;
  }

  /** The immediate children of artifact directory {@code path} ("" = root). */
  public List<ArtifactInfo> listArtifacts(String path) {
    return artifacts.listArtifactsAt(artifactUri(), path);
  }

  /**
   * Downloads artifact {@code path} (file or directory) to {@code destination} (must not exist).
   */
  public Path downloadArtifacts(String path, Path destination) {
    return artifacts.downloadArtifactsFrom(artifactUri(), path, destination);
  }

  // ------------------------------------------------------------------------------------- nesting

  /** Starts a run nested under this one, in the same experiment. */
  public RunHandle startChildRun(String name) {
    return startChildRun(name, Map.of());
  }

  public RunHandle startChildRun(String name, Map<String, String> tags) {
    return runs.startRun(experimentId, name, tags, runId);
  }

  // -------------------------------------------------------------------------------------- ending

  /** Ends the run as FINISHED. */
  public void finish() {
    end(RunStatus.FINISHED);
  }

  /** Ends the run as FAILED. */
  public void fail() {
    end(RunStatus.FAILED);
  }

  /** Ends the run as KILLED. */
  public void kill() {
    end(RunStatus.KILLED);
  }

  /** Ends the run with a terminal {@code status}. */
  public synchronized void end(RunStatus status) {
    if (!status.isTerminal()) {
      throw new IllegalArgumentException(status + " is not a status a run ends in");
    }
    runs.endRun(runId, status);
    endedWith = status;
  }

  /**
   * Ends a run this handle started and that was not ended yet as FAILED; does nothing for a run
   * attached with {@link TrackingClient#attachRun} or already ended.
   */
  @Override
  public synchronized void close() {
    if (owned && endedWith == null) {
      end(RunStatus.FAILED);
    }
  }

  @Override
  public String toString() {
    return "RunHandle{runId="
        + runId
        + ", experimentId="
        + experimentId
        + ", runName="
        + runName
        + (parentRunId != null ? ", parent=" + parentRunId : "")
        + "}";
  }
}
