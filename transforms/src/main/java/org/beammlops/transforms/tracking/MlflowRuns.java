package org.beammlops.transforms.tracking;

import static org.beammlops.transforms.tracking.Checks.text;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.mlflow.api.proto.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link Runs} over MLflow's REST API, with mlflow-client's request and response messages. */
final class MlflowRuns implements Runs {
  private static final Logger LOG = LoggerFactory.getLogger(MlflowRuns.class);

  /** MLflow's per-request limits for {@code runs/log-batch}. */
  static final int MAX_BATCH_METRICS = 1000;

  static final int MAX_BATCH_PARAMS = 100;
  static final int MAX_BATCH_TAGS = 100;
  static final int MAX_BATCH_ENTITIES = 1000;

  private final TrackingHttp http;
  private final ArtifactStores artifacts;

  MlflowRuns(TrackingHttp http, ArtifactStores artifacts) {
    this.http = http;
    this.artifacts = artifacts;
  }

  @Override
  public Optional<String> findExperimentId(String name) {
    return findExperiment(name).map(Service.Experiment::getExperimentId);
  }

  @Override
  public String getOrCreateExperiment(String name) {
    text(name, "experiment name");
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
            http.post(
                    "experiments/create",
                    Service.CreateExperiment.newBuilder().setName(name),
                    Service.CreateExperiment.Response.newBuilder())
                .getExperimentId();
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
    text(name, "experiment name");
    try {
      return Optional.of(
          http.get(
                  "experiments/get-by-name",
                  Map.of("experiment_name", name),
                  Service.GetExperimentByName.Response.newBuilder())
              .getExperiment());
    } catch (TrackingException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public RunHandle startRun(String experimentId, String runName, Map<String, String> tags) {
    return startRun(experimentId, runName, tags, null);
  }

  @Override
  public RunHandle startNestedRun(String parentRunId, String runName, Map<String, String> tags) {
    TrackedRun parent = getRun(parentRunId);
    return startRun(parent.experimentId(), runName, tags, parentRunId);
  }

  /** Starts a run, nested under {@code parentRunId} unless it is null. */
  RunHandle startRun(
      String experimentId, String runName, Map<String, String> tags, String parentRunId) {
    text(experimentId, "experiment id");
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
    allTags.forEach((k, v) -> request.addTags(tag(k, v)));
    Service.RunInfo info =
        http.post("runs/create", request, Service.CreateRun.Response.newBuilder())
            .getRun()
            .getInfo();
    return new RunHandle(
        this,
        artifacts,
        info.getRunId(),
        info.getExperimentId(),
        info.getRunName(),
        info.getArtifactUri(),
        parentRunId,
        true);
  }

  @Override
  public RunHandle attachRun(String runId) {
    TrackedRun run = getRun(runId);
    return new RunHandle(
        this,
        artifacts,
        run.runId(),
        run.experimentId(),
        run.runName(),
        run.artifactUri(),
        run.parentRunId().orElse(null),
        false);
  }

  @Override
  public TrackedRun getRun(String runId) {
    text(runId, "run id");
    return TrackedRun.of(
        http.get(
                "runs/get",
                Map.of("run_id", runId, "run_uuid", runId),
                Service.GetRun.Response.newBuilder())
            .getRun());
  }

  @Override
  public List<TrackedRun> searchRuns(List<String> experimentIds, String filter, int maxResults) {
    if (maxResults < 1) {
      throw new IllegalArgumentException("maxResults must be at least 1");
    }
    List<TrackedRun> out = new ArrayList<>();
    String pageToken = "";
    do {
      Service.SearchRuns.Builder request =
          Service.SearchRuns.newBuilder()
              .addAllExperimentIds(experimentIds)
              .setRunViewType(Service.ViewType.ACTIVE_ONLY)
              .setMaxResults(Math.min(maxResults - out.size(), 1000));
      if (filter != null) {
        request.setFilter(filter);
      }
      if (!pageToken.isEmpty()) {
        request.setPageToken(pageToken);
      }
      Service.SearchRuns.Response.Builder page =
          http.post("runs/search", request, Service.SearchRuns.Response.newBuilder());
      for (Service.Run run : page.getRunsList()) {
        if (out.size() < maxResults) {
          out.add(TrackedRun.of(run));
        }
      }
      pageToken = page.getNextPageToken();
    } while (!pageToken.isEmpty() && out.size() < maxResults);
    return out;
  }

  @Override
  public void endRun(String runId, RunStatus status) {
    text(runId, "run id");
    Objects.requireNonNull(status, "status");
    http.post(
        "runs/update",
        Service.UpdateRun.newBuilder()
            .setRunId(runId)
            .setRunUuid(runId)
            .setStatus(status.toProto())
            .setEndTime(System.currentTimeMillis()),
        Service.UpdateRun.Response.newBuilder());
  }

  @Override
  public void logParam(String runId, String key, String value) {
    text(runId, "run id");
    text(key, "param key");
    Objects.requireNonNull(value, "param value");
    http.post(
        "runs/log-parameter",
        Service.LogParam.newBuilder().setRunId(runId).setRunUuid(runId).setKey(key).setValue(value),
        Service.LogParam.Response.newBuilder());
  }

  @Override
  public void logMetric(String runId, MetricPoint point) {
    text(runId, "run id");
    Objects.requireNonNull(point, "point");
    http.post(
        "runs/log-metric",
        Service.LogMetric.newBuilder()
            .setRunId(runId)
            .setRunUuid(runId)
            .setKey(point.key())
            .setValue(point.value())
            .setTimestamp(point.timestampMillis())
            .setStep(point.step()),
        Service.LogMetric.Response.newBuilder());
  }

  @Override
  public void setTag(String runId, String key, String value) {
    text(runId, "run id");
    text(key, "tag key");
    Objects.requireNonNull(value, "tag value");
    http.post(
        "runs/set-tag",
        Service.SetTag.newBuilder().setRunId(runId).setRunUuid(runId).setKey(key).setValue(value),
        Service.SetTag.Response.newBuilder());
  }

  @Override
  public void logBatch(
      String runId,
      Map<String, String> params,
      List<MetricPoint> metrics,
      Map<String, String> tags) {
    text(runId, "run id");
    List<Service.Param> ps = new ArrayList<>();
    params.forEach((k, v) -> ps.add(Service.Param.newBuilder().setKey(k).setValue(v).build()));
    List<Service.RunTag> ts = new ArrayList<>();
    tags.forEach((k, v) -> ts.add(tag(k, v)));
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
      http.post(
          "runs/log-batch",
          Service.LogBatch.newBuilder()
              .setRunId(runId)
              .addAllParams(ps.subList(pi, pi + pn))
              .addAllTags(ts.subList(ti, ti + tn))
              .addAllMetrics(ms.subList(mi, mi + mn)),
          Service.LogBatch.Response.newBuilder());
      pi += pn;
      ti += tn;
      mi += mn;
    }
  }

  @Override
  public List<MetricPoint> metricHistory(String runId, String key) {
    text(runId, "run id");
    text(key, "metric key");
    Map<String, String> query = new LinkedHashMap<>();
    query.put("run_uuid", runId);
    query.put("run_id", runId);
    query.put("metric_key", key);
    query.put("max_results", "25000");
    List<MetricPoint> out = new ArrayList<>();
    for (Service.Metric m :
        http.get("metrics/get-history", query, Service.GetMetricHistory.Response.newBuilder())
            .getMetricsList()) {
      out.add(new MetricPoint(m.getKey(), m.getValue(), m.getTimestamp(), m.getStep()));
    }
    return out;
  }

  private static Service.RunTag tag(String key, String value) {
    return Service.RunTag.newBuilder().setKey(key).setValue(value).build();
  }
}
