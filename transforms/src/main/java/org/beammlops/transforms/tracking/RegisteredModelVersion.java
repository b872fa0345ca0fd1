package org.beammlops.transforms.tracking;

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

  public Optional<String> run() {
    return Optional.ofNullable(runId);
  }

  /** {@code models:/<name>/<version>}. */
  public ModelUri.RegisteredVersion uri() {
    return new ModelUri.RegisteredVersion(name, version);
  }
}
