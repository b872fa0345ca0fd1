package org.beammlops.transforms.tracking;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A run as the server reports it: identity, status, and the latest value of each metric.
 *
 * @param endTimeMillis 0 while the run has not ended
 * @param metrics the latest value of each metric (at its highest step)
 */
public record TrackedRun(
    String runId,
    String experimentId,
    String runName,
    RunStatus status,
    long startTimeMillis,
    long endTimeMillis,
    String artifactUri,
    String lifecycleStage,
    Map<String, String> params,
    Map<String, Double> metrics,
    Map<String, String> tags) {

  /** The tag MLflow uses to nest a run under its parent. */
  public static final String PARENT_RUN_ID_TAG = "mlflow.parentRunId";

  public TrackedRun {
    Objects.requireNonNull(runId, "runId");
    params = Map.copyOf(params);
    metrics = Map.copyOf(metrics);
    tags = Map.copyOf(tags);
  }

  /** The parent run's id, for a nested run. */
  public Optional<String> parentRunId() {
    return Optional.ofNullable(tags.get(PARENT_RUN_ID_TAG));
  }
}
