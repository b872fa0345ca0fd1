package org.beammlops.transforms.tracking;

import java.nio.file.Path;
import java.util.Objects;

/** {@link ModelResolver} through the registry and the artifact stores, into {@link LocalCopies}. */
final class CachedModelResolver implements ModelResolver {
  private final ModelRegistry registry;
  private final Artifacts artifacts;
  private final ArtifactStores stores;
  private final TrackingConfig config;

  CachedModelResolver(
      ModelRegistry registry, Artifacts artifacts, ArtifactStores stores, TrackingConfig config) {
    this.registry = registry;
    this.artifacts = artifacts;
    this.stores = stores;
    this.config = config;
  }

  @Override
  public ResolvedModel resolve(ModelUri uri) {
    return resolve(uri, config.cacheDir());
  }

  @Override
  public ResolvedModel resolve(ModelUri uri, Path cacheDir) {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(cacheDir, "cacheDir");
    if (uri instanceof ModelUri.RegisteredAlias a) {
      RegisteredModelVersion v =
          registry
              .getVersionByAlias(a.name(), a.alias())
              .orElseThrow(
                  () ->
                      new TrackingException(
                          "Cannot resolve "
                              + a
                              + ": registered model '"
                              + a.name()
                              + "' has no alias '"
                              + a.alias()
                              + "' (or the model does not exist)",
                          404,
                          "RESOURCE_DOES_NOT_EXIST",
                          null));
      return resolveVersion(uri, v, cacheDir);
    }
    if (uri instanceof ModelUri.RegisteredVersion rv) {
      return resolveVersion(uri, registry.getModelVersion(rv.name(), rv.version()), cacheDir);
    }
    ModelUri.RunArtifact ra = (ModelUri.RunArtifact) uri;
    String location = runArtifact(ra);
    Path key =
        cacheDir
            .resolve("runs")
            .resolve(LocalCopies.safeName(ra.runId()))
            .resolve(ra.path().isEmpty() ? "_root" : LocalCopies.safeName(ra.path()));
    return new ResolvedModel(
        uri, null, location, LocalCopies.copyOf(location, key, cacheDir, stores::storeFor));
  }

  private ResolvedModel resolveVersion(ModelUri uri, RegisteredModelVersion v, Path cacheDir) {
    String location = downloadLocation(v);
    // Name and version alone do not name one model: another tracking server, or a store that was
    // reset, has its own version 1 of the same name, and the cache is shared by every client of
    // this machine's user. Where the files come from tells them apart. (A sibling of the older
    // <name>/<version> copies, never inside one.)
    Path key =
        cacheDir
            .resolve("models")
            .resolve(LocalCopies.safeName(v.name()))
            .resolve(
                LocalCopies.safeName(v.version() + " " + config.trackingUri() + " " + location));
    return new ResolvedModel(
        uri, v, location, LocalCopies.copyOf(location, key, cacheDir, stores::storeFor));
  }

  /** The artifact-store URI of a version's files, following {@code runs:/} indirections. */
  private String downloadLocation(RegisteredModelVersion v) {
    String uri;
    try {
      uri = registry.getModelVersionDownloadUri(v.name(), v.version());
    } catch (TrackingException e) {
      if (e.httpStatus() != 404 && e.httpStatus() != 501) {
        throw e;
      }
      uri = "";
    }
    if (uri.isEmpty()) {
      uri = v.source();
    }
    if (uri == null || uri.isEmpty()) {
      throw new TrackingException("Model version " + v.uri() + " has no source");
    }
    if (uri.startsWith("runs:")) {
      return runArtifact((ModelUri.RunArtifact) ModelUri.parse(uri));
    }
    if (uri.startsWith("models:")) {
      throw new TrackingException(
          "Model version " + v.uri() + " points at another registry URI (" + uri + ")");
    }
    return uri;
  }

  private String runArtifact(ModelUri.RunArtifact ra) {
    return ArtifactPaths.join(
        ArtifactPaths.stripTrailingSlashes(artifacts.artifactUri(ra.runId())), ra.path());
  }
}
