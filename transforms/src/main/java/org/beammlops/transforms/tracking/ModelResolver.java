package org.beammlops.transforms.tracking;

import java.nio.file.Path;

/** {@code models:/} and {@code runs:/} URIs to local copies of the model's files. */
public interface ModelResolver {
  /** {@link #resolve(ModelUri)} of {@link ModelUri#parse(String)}, returning the local path. */
  default Path localCopy(String modelUri) {
    return resolve(ModelUri.parse(modelUri)).localPath();
  }

  /** Resolves {@code uri} to a local copy under {@link TrackingConfig#cacheDir()}. */
  ResolvedModel resolve(ModelUri uri);

  /**
   * Resolves {@code uri} to a local copy under {@code cacheDir}.
   *
   * <p>An alias is looked up on every call (it moves); the files of a registered version, or of a
   * run's artifact path, are downloaded once and reused from the cache afterwards (MLflow never
   * changes a version's files; a run's artifacts are assumed written once). Copies appear
   * atomically: a half-downloaded copy is never visible, concurrent resolvers are safe.
   */
  ResolvedModel resolve(ModelUri uri, Path cacheDir);
}
