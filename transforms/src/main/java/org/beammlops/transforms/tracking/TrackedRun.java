package org.beammlops.transforms.tracking;

import java.util.LinkedHashMap;
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

  /** The run of one of mlflow-client's answers. */
  static TrackedRun of(org.mlflow.api.proto.Service.Run run) {
    org.mlflow.api.proto.Service.RunInfo info = run.getInfo();
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

  /** The parent run's id, for a nested run. */
  public Optional<String> parentRunId() {
    return Optional.ofNullable(tags.get(PARENT_RUN_ID_TAG));
  }
}
