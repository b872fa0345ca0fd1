package org.beammlops.local.tracking;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.mlflow.api.proto.ModelRegistry.CreateModelVersion;
import org.mlflow.api.proto.ModelRegistry.CreateRegisteredModel;
import org.mlflow.api.proto.ModelRegistry.DeleteModelVersion;
import org.mlflow.api.proto.ModelRegistry.DeleteModelVersionTag;
import org.mlflow.api.proto.ModelRegistry.DeleteRegisteredModel;
import org.mlflow.api.proto.ModelRegistry.DeleteRegisteredModelAlias;
import org.mlflow.api.proto.ModelRegistry.DeleteRegisteredModelTag;
import org.mlflow.api.proto.ModelRegistry.GetLatestVersions;
import org.mlflow.api.proto.ModelRegistry.GetModelVersion;
import org.mlflow.api.proto.ModelRegistry.GetModelVersionByAlias;
import org.mlflow.api.proto.ModelRegistry.GetModelVersionDownloadUri;
import org.mlflow.api.proto.ModelRegistry.GetRegisteredModel;
import org.mlflow.api.proto.ModelRegistry.RenameRegisteredModel;
import org.mlflow.api.proto.ModelRegistry.SearchModelVersions;
import org.mlflow.api.proto.ModelRegistry.SearchRegisteredModels;
import org.mlflow.api.proto.ModelRegistry.SetModelVersionTag;
import org.mlflow.api.proto.ModelRegistry.SetRegisteredModelAlias;
import org.mlflow.api.proto.ModelRegistry.SetRegisteredModelTag;
import org.mlflow.api.proto.ModelRegistry.TransitionModelVersionStage;
import org.mlflow.api.proto.ModelRegistry.UpdateModelVersion;
import org.mlflow.api.proto.ModelRegistry.UpdateRegisteredModel;
import org.mlflow.api.proto.Service;
import org.mlflow.api.proto.Service.CreateExperiment;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.DeleteExperiment;
import org.mlflow.api.proto.Service.DeleteRun;
import org.mlflow.api.proto.Service.DeleteTag;
import org.mlflow.api.proto.Service.GetExperiment;
import org.mlflow.api.proto.Service.GetExperimentByName;
import org.mlflow.api.proto.Service.GetMetricHistory;
import org.mlflow.api.proto.Service.GetRun;
import org.mlflow.api.proto.Service.ListArtifacts;
import org.mlflow.api.proto.Service.LogBatch;
import org.mlflow.api.proto.Service.LogMetric;
import org.mlflow.api.proto.Service.LogModel;
import org.mlflow.api.proto.Service.LogParam;
import org.mlflow.api.proto.Service.RestoreExperiment;
import org.mlflow.api.proto.Service.RestoreRun;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.api.proto.Service.SearchExperiments;
import org.mlflow.api.proto.Service.SearchRuns;
import org.mlflow.api.proto.Service.SetExperimentTag;
import org.mlflow.api.proto.Service.SetTag;
import org.mlflow.api.proto.Service.UpdateExperiment;
import org.mlflow.api.proto.Service.UpdateRun;
import org.mlflow.api.proto.Service.ViewType;
import org.mlflow_project.google.protobuf.Message;

/**
 * The JSON endpoints of MLflow's REST API: for each RPC of {@code MlflowService} and {@code
 * ModelRegistryService} that this server implements, its request message, the parameters MLflow's
 * handler requires ({@code mlflow/server/handlers.py}) and what it does.
 */
final class TrackingApi {
  /** One RPC: how to build its request, which fields must be present, and the handler. */
  record Rpc(
      String service,
      String method,
      java.util.function.Supplier<Message.Builder> request,
      List<String> required,
      Function<Message, Message> handler) {}

  private final TrackingStore tracking;
  private final ModelRegistryStore registry;
  private final ArtifactStore artifacts;
  private final Map<String, Rpc> rpcs = new TreeMap<>();

  TrackingApi(TrackingStore tracking, ModelRegistryStore registry, ArtifactStore artifacts) {
    this.tracking = tracking;
    this.registry = registry;
    this.artifacts = artifacts;
    registerTracking();
    registerRegistry();
  }

  /** The implemented RPCs by {@code Service.method}. */
  Map<String, Rpc> rpcs() {
    return rpcs;
  }

  @SuppressWarnings("unchecked")
  private <T extends Message> void rpc(
      String service,
      String method,
      java.util.function.Supplier<Message.Builder> request,
      List<String> required,
      Function<T, Message> handler) {
    rpcs.put(
        service + "." + method,
        new Rpc(service, method, request, required, m -> handler.apply((T) m)));
  }

  private void mlflow(
      String method,
      java.util.function.Supplier<Message.Builder> request,
      List<String> required,
      Function<? extends Message, Message> handler) {
    rpc("MlflowService", method, request, required, cast(handler));
  }

  private void registryRpc(
      String method,
      java.util.function.Supplier<Message.Builder> request,
      List<String> required,
      Function<? extends Message, Message> handler) {
    rpc("ModelRegistryService", method, request, required, cast(handler));
  }

  @SuppressWarnings("unchecked")
  private static <T extends Message> Function<T, Message> cast(Function<?, Message> f) {
    return (Function<T, Message>) f;
  }

  private static String runId(String runId, String runUuid) {
    return runId == null || runId.isEmpty() ? runUuid : runId;
  }

  private void registerTracking() {
    mlflow(
        "createExperiment",
        CreateExperiment::newBuilder,
        List.of("name"),
        (CreateExperiment r) ->
            CreateExperiment.Response.newBuilder()
                .setExperimentId(
                    tracking.createExperiment(
                        r.getName(), r.getArtifactLocation(), r.getTagsList()))
                .build());
    mlflow(
        "getExperiment",
        GetExperiment::newBuilder,
        List.of("experiment_id"),
        (GetExperiment r) ->
            GetExperiment.Response.newBuilder()
                .setExperiment(tracking.getExperiment(r.getExperimentId()))
                .build());
    mlflow(
        "getExperimentByName",
        GetExperimentByName::newBuilder,
        List.of("experiment_name"),
        (GetExperimentByName r) ->
            GetExperimentByName.Response.newBuilder()
                .setExperiment(
                    tracking
                        .getExperimentByName(r.getExperimentName())
                        .orElseThrow(
                            () ->
                                MlflowError.notFound(
                                    "Could not find experiment with name '"
                                        + r.getExperimentName()
                                        + "'")))
                .build());
    mlflow(
        "searchExperiments",
        SearchExperiments::newBuilder,
        List.of(),
        (SearchExperiments r) -> {
          TrackingStore.Page<Service.Experiment> page =
              tracking.searchExperiments(
                  r.hasViewType() ? r.getViewType() : ViewType.ACTIVE_ONLY,
                  r.hasMaxResults() ? r.getMaxResults() : 1000,
                  r.getFilter(),
                  r.getOrderByList(),
                  r.getPageToken());
          SearchExperiments.Response.Builder response =
              SearchExperiments.Response.newBuilder().addAllExperiments(page.items());
          if (page.nextPageToken() != null) {
            response.setNextPageToken(page.nextPageToken());
          }
          return response.build();
        });
    mlflow(
        "deleteExperiment",
        DeleteExperiment::newBuilder,
        List.of("experiment_id"),
        (DeleteExperiment r) -> {
          tracking.deleteExperiment(r.getExperimentId());
          return DeleteExperiment.Response.getDefaultInstance();
        });
    mlflow(
        "restoreExperiment",
        RestoreExperiment::newBuilder,
        List.of("experiment_id"),
        (RestoreExperiment r) -> {
          tracking.restoreExperiment(r.getExperimentId());
          return RestoreExperiment.Response.getDefaultInstance();
        });
    mlflow(
        "updateExperiment",
        UpdateExperiment::newBuilder,
        List.of("experiment_id", "new_name"),
        (UpdateExperiment r) -> {
          tracking.renameExperiment(r.getExperimentId(), r.getNewName());
          return UpdateExperiment.Response.getDefaultInstance();
        });
    mlflow(
        "setExperimentTag",
        SetExperimentTag::newBuilder,
        List.of("experiment_id", "key"),
        (SetExperimentTag r) -> {
          tracking.setExperimentTag(r.getExperimentId(), r.getKey(), r.getValue());
          return SetExperimentTag.Response.getDefaultInstance();
        });
    mlflow(
        "createRun",
        CreateRun::newBuilder,
        List.of(),
        (CreateRun r) ->
            CreateRun.Response.newBuilder()
                .setRun(
                    tracking.createRun(
                        r.getExperimentId(),
                        r.getUserId(),
                        r.hasStartTime() ? r.getStartTime() : null,
                        r.getTagsList(),
                        r.getRunName()))
                .build());
    mlflow(
        "updateRun",
        UpdateRun::newBuilder,
        List.of("run_id"),
        (UpdateRun r) ->
            UpdateRun.Response.newBuilder()
                .setRunInfo(
                    tracking.updateRun(
                        runId(r.getRunId(), r.getRunUuid()),
                        r.hasStatus() ? r.getStatus() : null,
                        r.hasEndTime() ? r.getEndTime() : null,
                        r.hasRunName() ? r.getRunName() : null))
                .build());
    mlflow(
        "deleteRun",
        DeleteRun::newBuilder,
        List.of("run_id"),
        (DeleteRun r) -> {
          tracking.deleteRun(r.getRunId());
          return DeleteRun.Response.getDefaultInstance();
        });
    mlflow(
        "restoreRun",
        RestoreRun::newBuilder,
        List.of("run_id"),
        (RestoreRun r) -> {
          tracking.restoreRun(r.getRunId());
          return RestoreRun.Response.getDefaultInstance();
        });
    mlflow(
        "getRun",
        GetRun::newBuilder,
        List.of("run_id"),
        (GetRun r) ->
            GetRun.Response.newBuilder()
                .setRun(tracking.getRun(runId(r.getRunId(), r.getRunUuid())))
                .build());
    mlflow(
        "logMetric",
        LogMetric::newBuilder,
        List.of("run_id", "key", "value", "timestamp"),
        (LogMetric r) -> {
          tracking.logMetric(
              runId(r.getRunId(), r.getRunUuid()),
              Service.Metric.newBuilder()
                  .setKey(r.getKey())
                  .setValue(r.getValue())
                  .setTimestamp(r.getTimestamp())
                  .setStep(r.getStep())
                  .build());
          return LogMetric.Response.getDefaultInstance();
        });
    mlflow(
        "logParam",
        LogParam::newBuilder,
        List.of("run_id", "key"),
        (LogParam r) -> {
          tracking.logParam(runId(r.getRunId(), r.getRunUuid()), r.getKey(), r.getValue());
          return LogParam.Response.getDefaultInstance();
        });
    mlflow(
        "setTag",
        SetTag::newBuilder,
        List.of("run_id", "key"),
        (SetTag r) -> {
          tracking.setTag(runId(r.getRunId(), r.getRunUuid()), r.getKey(), r.getValue());
          return SetTag.Response.getDefaultInstance();
        });
    mlflow(
        "deleteTag",
        DeleteTag::newBuilder,
        List.of("run_id", "key"),
        (DeleteTag r) -> {
          tracking.deleteTag(r.getRunId(), r.getKey());
          return DeleteTag.Response.getDefaultInstance();
        });
    mlflow(
        "logBatch",
        LogBatch::newBuilder,
        List.of(
            "run_id",
            "metrics[].key",
            "metrics[].value",
            "metrics[].timestamp",
            "params[].key",
            "tags[].key"),
        (LogBatch r) -> {
          tracking.logBatch(r.getRunId(), r.getMetricsList(), r.getParamsList(), r.getTagsList());
          return LogBatch.Response.getDefaultInstance();
        });
    mlflow(
        "logModel",
        LogModel::newBuilder,
        List.of("run_id", "model_json"),
        (LogModel r) -> {
          logModel(r);
          return LogModel.Response.getDefaultInstance();
        });
    mlflow(
        "getMetricHistory",
        GetMetricHistory::newBuilder,
        List.of("run_id", "metric_key"),
        (GetMetricHistory r) ->
            GetMetricHistory.Response.newBuilder()
                .addAllMetrics(
                    tracking.getMetricHistory(
                        runId(r.getRunId(), r.getRunUuid()), r.getMetricKey()))
                .build());
    mlflow(
        "searchRuns",
        SearchRuns::newBuilder,
        List.of(),
        (SearchRuns r) -> {
          TrackingStore.Page<Service.Run> page =
              tracking.searchRuns(
                  r.getExperimentIdsList(),
                  r.getFilter(),
                  r.getRunViewType(),
                  r.getMaxResults(),
                  r.getOrderByList(),
                  r.getPageToken());
          SearchRuns.Response.Builder response =
              SearchRuns.Response.newBuilder().addAllRuns(page.items());
          if (page.nextPageToken() != null) {
            response.setNextPageToken(page.nextPageToken());
          }
          return response.build();
        });
    mlflow(
        "listArtifacts",
        ListArtifacts::newBuilder,
        List.of("run_id"),
        (ListArtifacts r) -> listRunArtifacts(r));
  }

  /** MLflow's log-model: appends the model's JSON to the run's {@code mlflow.log-model.history}. */
  private void logModel(LogModel r) {
    com.fasterxml.jackson.databind.JsonNode model;
    try {
      model = ProtoJson.MAPPER.readTree(r.getModelJson());
    } catch (java.io.IOException e) {
      model = null;
    }
    if (model == null || !model.isObject()) {
      throw MlflowError.invalid(
          "Malformed model info. \n " + r.getModelJson() + " \n is not a valid JSON.");
    }
    List<String> missing = new ArrayList<>();
    for (String field : List.of("artifact_path", "flavors", "utc_time_created", "run_id")) {
      if (!model.has(field)) {
        missing.add(field);
      }
    }
    if (!missing.isEmpty()) {
      throw MlflowError.invalid("Model json is missing mandatory fields: " + missing);
    }
    String key = "mlflow.log-model.history";
    String existing =
        tracking.getRun(r.getRunId()).getData().getTagsList().stream()
            .filter(t -> t.getKey().equals(key))
            .map(RunTag::getValue)
            .findFirst()
            .orElse("[]");
    com.fasterxml.jackson.databind.node.ArrayNode history;
    try {
      com.fasterxml.jackson.databind.JsonNode parsed = ProtoJson.MAPPER.readTree(existing);
      history =
          parsed instanceof com.fasterxml.jackson.databind.node.ArrayNode a
              ? a
              : ProtoJson.MAPPER.createArrayNode();
    } catch (java.io.IOException e) {
      history = ProtoJson.MAPPER.createArrayNode();
    }
    history.add(model);
    tracking.setTag(r.getRunId(), key, history.toString());
  }

  private ListArtifacts.Response listRunArtifacts(ListArtifacts r) {
    String path = r.hasPath() ? Validation.safeArtifactPath(r.getPath()) : "";
    Service.Run run = tracking.getRun(runId(r.getRunId(), r.getRunUuid()));
    String artifactUri = run.getInfo().getArtifactUri();
    String root = ArtifactStore.pathOf(artifactUri);
    if (root == null) {
      throw new MlflowError(
          MlflowError.NOT_IMPLEMENTED,
          "Run artifact URI '"
              + artifactUri
              + "' is not an mlflow-artifacts URI served by this server; read it directly");
    }
    String prefix = path.isEmpty() ? "" : path.replaceAll("/+$", "") + "/";
    ListArtifacts.Response.Builder response =
        ListArtifacts.Response.newBuilder().setRootUri(artifactUri);
    for (Service.FileInfo info : artifacts.list(root + (path.isEmpty() ? "" : "/" + path))) {
      response.addFiles(info.toBuilder().setPath(prefix + info.getPath()));
    }
    return response.build();
  }

  private void registerRegistry() {
    registryRpc(
        "createRegisteredModel",
        CreateRegisteredModel::newBuilder,
        List.of("name"),
        (CreateRegisteredModel r) ->
            CreateRegisteredModel.Response.newBuilder()
                .setRegisteredModel(
                    registry.createRegisteredModel(
                        r.getName(), r.getTagsList(), r.getDescription()))
                .build());
    registryRpc(
        "getRegisteredModel",
        GetRegisteredModel::newBuilder,
        List.of("name"),
        (GetRegisteredModel r) ->
            GetRegisteredModel.Response.newBuilder()
                .setRegisteredModel(registry.getRegisteredModel(r.getName()))
                .build());
    registryRpc(
        "renameRegisteredModel",
        RenameRegisteredModel::newBuilder,
        List.of("name", "new_name"),
        (RenameRegisteredModel r) ->
            RenameRegisteredModel.Response.newBuilder()
                .setRegisteredModel(registry.renameRegisteredModel(r.getName(), r.getNewName()))
                .build());
    registryRpc(
        "updateRegisteredModel",
        UpdateRegisteredModel::newBuilder,
        List.of("name"),
        (UpdateRegisteredModel r) ->
            UpdateRegisteredModel.Response.newBuilder()
                .setRegisteredModel(registry.updateRegisteredModel(r.getName(), r.getDescription()))
                .build());
    registryRpc(
        "deleteRegisteredModel",
        DeleteRegisteredModel::newBuilder,
        List.of("name"),
        (DeleteRegisteredModel r) -> {
          registry.deleteRegisteredModel(r.getName());
          return DeleteRegisteredModel.Response.getDefaultInstance();
        });
    registryRpc(
        "searchRegisteredModels",
        SearchRegisteredModels::newBuilder,
        List.of(),
        (SearchRegisteredModels r) -> {
          ModelRegistryStore.ModelPage page =
              registry.searchRegisteredModels(
                  r.getFilter(), r.getMaxResults(), r.getOrderByList(), r.getPageToken());
          SearchRegisteredModels.Response.Builder response =
              SearchRegisteredModels.Response.newBuilder().addAllRegisteredModels(page.models());
          if (page.nextPageToken() != null) {
            response.setNextPageToken(page.nextPageToken());
          }
          return response.build();
        });
    registryRpc(
        "getLatestVersions",
        GetLatestVersions::newBuilder,
        List.of("name"),
        (GetLatestVersions r) ->
            GetLatestVersions.Response.newBuilder()
                .addAllModelVersions(registry.getLatestVersions(r.getName(), r.getStagesList()))
                .build());
    registryRpc(
        "setRegisteredModelTag",
        SetRegisteredModelTag::newBuilder,
        List.of("name", "key"),
        (SetRegisteredModelTag r) -> {
          registry.setRegisteredModelTag(r.getName(), r.getKey(), r.getValue());
          return SetRegisteredModelTag.Response.getDefaultInstance();
        });
    registryRpc(
        "deleteRegisteredModelTag",
        DeleteRegisteredModelTag::newBuilder,
        List.of("name", "key"),
        (DeleteRegisteredModelTag r) -> {
          registry.deleteRegisteredModelTag(r.getName(), r.getKey());
          return DeleteRegisteredModelTag.Response.getDefaultInstance();
        });
    registryRpc(
        "createModelVersion",
        CreateModelVersion::newBuilder,
        List.of("name", "source"),
        (CreateModelVersion r) ->
            CreateModelVersion.Response.newBuilder()
                .setModelVersion(
                    registry.createModelVersion(
                        r.getName(),
                        r.getSource(),
                        r.getRunId(),
                        r.getTagsList(),
                        r.getRunLink(),
                        r.getDescription()))
                .build());
    registryRpc(
        "getModelVersion",
        GetModelVersion::newBuilder,
        List.of("name", "version"),
        (GetModelVersion r) ->
            GetModelVersion.Response.newBuilder()
                .setModelVersion(registry.getModelVersion(r.getName(), r.getVersion()))
                .build());
    registryRpc(
        "updateModelVersion",
        UpdateModelVersion::newBuilder,
        List.of("name", "version"),
        (UpdateModelVersion r) ->
            UpdateModelVersion.Response.newBuilder()
                .setModelVersion(
                    registry.updateModelVersion(
                        r.getName(),
                        r.getVersion(),
                        r.hasDescription() ? r.getDescription() : null))
                .build());
    registryRpc(
        "transitionModelVersionStage",
        TransitionModelVersionStage::newBuilder,
        List.of("name", "version", "stage"),
        (TransitionModelVersionStage r) ->
            TransitionModelVersionStage.Response.newBuilder()
                .setModelVersion(
                    registry.transitionStage(
                        r.getName(), r.getVersion(), r.getStage(), r.getArchiveExistingVersions()))
                .build());
    registryRpc(
        "deleteModelVersion",
        DeleteModelVersion::newBuilder,
        List.of("name", "version"),
        (DeleteModelVersion r) -> {
          registry.deleteModelVersion(r.getName(), r.getVersion());
          return DeleteModelVersion.Response.getDefaultInstance();
        });
    registryRpc(
        "searchModelVersions",
        SearchModelVersions::newBuilder,
        List.of(),
        (SearchModelVersions r) -> {
          ModelRegistryStore.VersionPage page =
              registry.searchModelVersions(
                  r.getFilter(), r.getMaxResults(), r.getOrderByList(), r.getPageToken());
          SearchModelVersions.Response.Builder response =
              SearchModelVersions.Response.newBuilder().addAllModelVersions(page.versions());
          if (page.nextPageToken() != null) {
            response.setNextPageToken(page.nextPageToken());
          }
          return response.build();
        });
    registryRpc(
        "getModelVersionDownloadUri",
        GetModelVersionDownloadUri::newBuilder,
        List.of("name", "version"),
        (GetModelVersionDownloadUri r) ->
            GetModelVersionDownloadUri.Response.newBuilder()
                .setArtifactUri(registry.getModelVersionDownloadUri(r.getName(), r.getVersion()))
                .build());
    registryRpc(
        "setModelVersionTag",
        SetModelVersionTag::newBuilder,
        List.of("name", "version", "key"),
        (SetModelVersionTag r) -> {
          registry.setModelVersionTag(r.getName(), r.getVersion(), r.getKey(), r.getValue());
          return SetModelVersionTag.Response.getDefaultInstance();
        });
    registryRpc(
        "deleteModelVersionTag",
        DeleteModelVersionTag::newBuilder,
        List.of("name", "version", "key"),
        (DeleteModelVersionTag r) -> {
          registry.deleteModelVersionTag(r.getName(), r.getVersion(), r.getKey());
          return DeleteModelVersionTag.Response.getDefaultInstance();
        });
    registryRpc(
        "setRegisteredModelAlias",
        SetRegisteredModelAlias::newBuilder,
        List.of("name", "alias", "version"),
        (SetRegisteredModelAlias r) -> {
          registry.setAlias(r.getName(), r.getAlias(), r.getVersion());
          return SetRegisteredModelAlias.Response.getDefaultInstance();
        });
    registryRpc(
        "deleteRegisteredModelAlias",
        DeleteRegisteredModelAlias::newBuilder,
        List.of("name", "alias"),
        (DeleteRegisteredModelAlias r) -> {
          registry.deleteAlias(r.getName(), r.getAlias());
          return DeleteRegisteredModelAlias.Response.getDefaultInstance();
        });
    registryRpc(
        "getModelVersionByAlias",
        GetModelVersionByAlias::newBuilder,
        List.of("name", "alias"),
        (GetModelVersionByAlias r) ->
            GetModelVersionByAlias.Response.newBuilder()
                .setModelVersion(registry.getModelVersionByAlias(r.getName(), r.getAlias()))
                .build());
  }
}
