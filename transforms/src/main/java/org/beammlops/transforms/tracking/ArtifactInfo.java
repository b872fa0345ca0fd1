package org.beammlops.transforms.tracking;

import java.util.Objects;

/**
 * A file or directory among a run's artifacts.
 *
 * @param path relative to the run's artifact root, '/'-separated
 * @param directory whether it is a directory
 * @param fileSize size in bytes of a file, -1 for a directory or when unknown
 */
public record ArtifactInfo(String path, boolean directory, long fileSize) {
  public ArtifactInfo {
    Objects.requireNonNull(path, "path");
  }
}
