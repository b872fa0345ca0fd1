package org.beammlops.transforms.tracking;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tracking half of an MLflow server: experiments, runs (nested through {@code
 * mlflow.parentRunId}), params, metrics and tags.
 */
public interface Runs {
  /** The id of the experiment named {@code name}, if it exists (deleted ones included). */
  Optional<String> findExperimentId(String name);

  /**
   * The id of the active experiment named {@code name}, created if absent. Fails on a deleted
   * experiment of that name (restore it or pick another name), as MLflow's {@code set_experiment}.
   */
  String getOrCreateExperiment(String name);

  /** Starts a run in {@code experimentId}. */
  default RunHandle startRun(String experimentId, String runName) {
    return startRun(experimentId, runName, Map.of());
  }

  /** Starts a run in {@code experimentId} with tags. */
  RunHandle startRun(String experimentId, String runName, Map<String, String> tags);

  /**
   * Starts a run nested under {@code parentRunId} (tag {@code mlflow.parentRunId}), in the same
   * experiment as its parent.
   */
  RunHandle startNestedRun(String parentRunId, String runName, Map<String, String> tags);

  /**
   * A handle on an existing run, e.g. to log into a training run from another pipeline. Closing it
   * does not end the run.
   */
  RunHandle attachRun(String runId);

  /** The run with its params, latest metrics and tags. */
  TrackedRun getRun(String runId);

  /** Active runs of the experiments matching MLflow's search {@code filter} (null = all). */
  List<TrackedRun> searchRuns(List<String> experimentIds, String filter, int maxResults);

  /** Ends a run with {@code status} (a terminal status) now. */
  void endRun(String runId, RunStatus status);

  /** Logs one param. */
  void logParam(String runId, String key, String value);

  /** Logs one metric value. */
  void logMetric(String runId, MetricPoint point);

  /** Sets one tag. */
  void setTag(String runId, String key, String value);

  /**
   * Logs params, metrics and tags with {@code runs/log-batch}, split into as many requests as
   * MLflow's limits need (1000 metrics, 100 params, 100 tags, 1000 entities a request).
   */
  void logBatch(
      String runId,
      Map<String, String> params,
      List<MetricPoint> metrics,
      Map<String, String> tags);

  /** Every logged value of metric {@code key}, in the server's order. */
  List<MetricPoint> metricHistory(String runId, String key);
}
