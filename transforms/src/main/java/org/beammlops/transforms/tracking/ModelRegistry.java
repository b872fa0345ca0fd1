package org.beammlops.transforms.tracking;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The model registry of an MLflow server: registered models, versions, aliases and tags. */
public interface ModelRegistry {
  /** Creates registered model {@code name} unless it exists; true if it was created. */
  boolean ensureRegisteredModel(String name);

  /**
   * Registers a new version of {@code name} (which must exist) from {@code source} (e.g. {@code
   * runs:/<run>/model}) and waits until it is {@code READY}.
   */
  RegisteredModelVersion createModelVersion(
      String name, String source, String runId, Map<String, String> tags);

  /** One version; a {@link TrackingException} that {@code isNotFound()} when there is none. */
  RegisteredModelVersion getModelVersion(String name, long version);

  /** The version alias {@code alias} of {@code name} points at, empty if there is none. */
  Optional<RegisteredModelVersion> getVersionByAlias(String name, String alias);

  /**
   * Points {@code alias} of {@code name} at {@code version} (moving it if it pointed elsewhere).
   */
  void setAlias(String name, String alias, long version);

  /** Removes {@code alias} from {@code name}. */
  void deleteAlias(String name, String alias);

  /**
   * Model versions matching MLflow's search {@code filter} (e.g. {@code name='flights'}), at most
   * {@code maxResults}, following pages.
   */
  List<RegisteredModelVersion> searchModelVersions(String filter, int maxResults);

  /** Sets a tag on one version. */
  void setModelVersionTag(String name, long version, String key, String value);

  /** Sets a tag on the registered model. */
  void setRegisteredModelTag(String name, String key, String value);

  /** Sets a version's description ({@code PATCH model-versions/update}). */
  RegisteredModelVersion updateModelVersionDescription(
      String name, long version, String description);

  /** Where the registry says a version's files are ({@code model-versions/get-download-uri}). */
  String getModelVersionDownloadUri(String name, long version);
}
