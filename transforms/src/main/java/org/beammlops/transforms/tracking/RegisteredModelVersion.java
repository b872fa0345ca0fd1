package org.beammlops.transforms.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A version of a registered model, as the registry reports it.
 *
 * @param source where the version's files are, as given at registration (e.g. {@code
 *     runs:/<run>/model})
 * @param runId the run that produced it, or null
 * @param status {@code READY}, {@code PENDING_REGISTRATION} or {@code FAILED_REGISTRATION}
 * @param aliases the aliases pointing at this version
 */
public record RegisteredModelVersion(
    String name,
    long version,
    String source,
    String runId,
    String status,
    String description,
    long creationTimestamp,
    long lastUpdatedTimestamp,
    List<String> aliases,
    Map<String, String> tags) {

  public RegisteredModelVersion {
    Objects.requireNonNull(name, "name");
    aliases = List.copyOf(aliases);
    tags = Map.copyOf(tags);
  }

  /** The version in a registry answer ({@code model_version}, as MLflow's REST API writes it). */
  static RegisteredModelVersion fromJson(JsonNode v) {
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

  /** The run that produced this version, if the registry knows it. */
  public Optional<String> run() {
    return Optional.ofNullable(runId);
  }

  /** {@code models:/<name>/<version>}. */
  public ModelUri.RegisteredVersion uri() {
    return new ModelUri.RegisteredVersion(name, version);
  }
}
