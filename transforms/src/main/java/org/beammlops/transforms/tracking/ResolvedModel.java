package org.beammlops.transforms.tracking;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A model URI resolved to a local copy of its files.
 *
 * @param uri what was asked for
 * @param version the registered version it resolved to, or null for a {@code runs:/} URI
 * @param sourceUri where the files were copied from (artifact store URI)
 * @param localPath the local copy: a directory, or a file when the URI names a single file
 */
public record ResolvedModel(
    ModelUri uri, RegisteredModelVersion version, String sourceUri, Path localPath) {
  public ResolvedModel {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(localPath, "localPath");
  }

  public Optional<RegisteredModelVersion> registeredVersion() {
    return Optional.ofNullable(version);
  }
}
