package org.beammlops.transforms.tracking;

import static org.beammlops.transforms.tracking.Checks.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link ModelRegistry} over MLflow's REST API, in the JSON its registry endpoints take. */
final class MlflowModelRegistry implements ModelRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(MlflowModelRegistry.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TrackingHttp http;

  MlflowModelRegistry(TrackingHttp http) {
    this.http = http;
  }

  @Override
  public boolean ensureRegisteredModel(String name) {
    text(name, "registered model name");
    try {
      post("registered-models/create", JSON.createObjectNode().put("name", name));
      LOG.info("Created registered model '{}'", name);
      return true;
    } catch (TrackingException e) {
      if (e.isAlreadyExists()) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public RegisteredModelVersion createModelVersion(
      String name, String source, String runId, Map<String, String> tags) {
    text(name, "registered model name");
    text(source, "source");
    ObjectNode body = JSON.createObjectNode().put("name", name).put("source", source);
    if (runId != null) {
      body.put("run_id", runId);
    }
    if (!tags.isEmpty()) {
      ArrayNode array = body.putArray("tags");
      tags.forEach((k, v) -> array.addObject().put("key", k).put("value", v));
    }
    return awaitReady(
        RegisteredModelVersion.fromJson(post("model-versions/create", body).path("model_version")));
  }

  private RegisteredModelVersion awaitReady(RegisteredModelVersion version) {
    long deadline = System.nanoTime() + http.config().registrationTimeout().toNanos();
    long waitMs = 100;
    RegisteredModelVersion current = version;
    while ("PENDING_REGISTRATION".equals(current.status())) {
      if (System.nanoTime() > deadline) {
        throw new TrackingException(
            "Model version "
                + current.uri()
                + " still PENDING_REGISTRATION after "
                + http.config().registrationTimeout());
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

  @Override
  public RegisteredModelVersion getModelVersion(String name, long version) {
    text(name, "registered model name");
    return RegisteredModelVersion.fromJson(
        http.get("model-versions/get", Map.of("name", name, "version", Long.toString(version)))
            .path("model_version"));
  }

  @Override
  public Optional<RegisteredModelVersion> getVersionByAlias(String name, String alias) {
    text(name, "registered model name");
    text(alias, "alias");
    try {
      JsonNode node = http.get("registered-models/alias", Map.of("name", name, "alias", alias));
      return Optional.of(RegisteredModelVersion.fromJson(node.path("model_version")));
    } catch (TrackingException e) {
      // An unknown model is RESOURCE_DOES_NOT_EXIST; MLflow's stores answer an unknown alias of a
      // known model with INVALID_PARAMETER_VALUE, which also covers other bad requests: the
      // model's own list of aliases tells which it is.
      if (e.isNotFound()
          || (e.httpStatus() == 400
              && "INVALID_PARAMETER_VALUE".equals(e.errorCode().orElse(""))
              && !aliasesOf(name).contains(alias))) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** The aliases registered model {@code name} has (none if it does not exist). */
  private List<String> aliasesOf(String name) {
    List<String> aliases = new ArrayList<>();
    try {
      http.get("registered-models/get", Map.of("name", name))
          .path("registered_model")
          .path("aliases")
          .forEach(a -> aliases.add(a.path("alias").asText()));
    } catch (TrackingException e) {
      if (!e.isNotFound()) {
        throw e;
      }
    }
    return aliases;
  }

  @Override
  public void setAlias(String name, String alias, long version) {
    text(name, "registered model name");
    text(alias, "alias");
    post(
        "registered-models/alias",
        JSON.createObjectNode()
            .put("name", name)
            .put("alias", alias)
            .put("version", Long.toString(version)));
  }

  @Override
  public void deleteAlias(String name, String alias) {
    text(name, "registered model name");
    text(alias, "alias");
    // The fields both in the query (what MLflow's REST docs show) and in the JSON body (what
    // MLflow's Python client sends).
    http.send(
        "DELETE",
        "registered-models/alias",
        Map.of("name", name, "alias", alias),
        JSON.createObjectNode().put("name", name).put("alias", alias).toString());
  }

  @Override
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
      JsonNode node = http.get("model-versions/search", query);
      for (JsonNode v : node.path("model_versions")) {
        if (out.size() < maxResults) {
          out.add(RegisteredModelVersion.fromJson(v));
        }
      }
      pageToken = node.path("next_page_token").asText("");
    } while (!pageToken.isEmpty() && out.size() < maxResults);
    return out;
  }

  @Override
  public void setModelVersionTag(String name, long version, String key, String value) {
    text(name, "registered model name");
    text(key, "tag key");
    post(
        "model-versions/set-tag",
        JSON.createObjectNode()
            .put("name", name)
            .put("version", Long.toString(version))
            .put("key", key)
            .put("value", value));
  }

  @Override
  public void setRegisteredModelTag(String name, String key, String value) {
    text(name, "registered model name");
    text(key, "tag key");
    post(
        "registered-models/set-tag",
        JSON.createObjectNode().put("name", name).put("key", key).put("value", value));
  }

  @Override
  public RegisteredModelVersion updateModelVersionDescription(
      String name, long version, String description) {
    text(name, "registered model name");
    ObjectNode body =
        JSON.createObjectNode()
            .put("name", name)
            .put("version", Long.toString(version))
            .put("description", description == null ? "" : description);
    JsonNode node =
        http.send("PATCH", "model-versions/update", Map.of(), body.toString())
            .path("model_version");
    return node.isMissingNode()
        ? getModelVersion(name, version)
        : RegisteredModelVersion.fromJson(node);
  }

  @Override
  public String getModelVersionDownloadUri(String name, long version) {
    text(name, "registered model name");
    return http.get(
            "model-versions/get-download-uri",
            Map.of("name", name, "version", Long.toString(version)))
        .path("artifact_uri")
        .asText("");
  }

  private JsonNode post(String endpoint, ObjectNode body) {
    return http.send("POST", endpoint, Map.of(), body.toString());
  }
}
