package org.beammlops.transforms.tracking;

import java.nio.file.Path;
import java.util.List;

/** A run's artifacts: upload, list, download, wherever the run's artifact store is. */
public interface Artifacts {
  /** The run's artifact root URI, e.g. {@code mlflow-artifacts:/1/<run>/artifacts}. */
  String artifactUri(String runId);

  /** Uploads one file into the run's artifact directory {@code artifactDir} ("" = root). */
  void logArtifact(String runId, Path file, String artifactDir);

  /**
   * Uploads the files under {@code localDir} into the run's artifact directory {@code artifactPath}
   * ("" = root), keeping their relative paths.
   */
  void logArtifacts(String runId, Path localDir, String artifactPath);

  /** The immediate children of the run's artifact directory {@code path} ("" = root). */
  List<ArtifactInfo> listArtifacts(String runId, String path);

  /**
   * Downloads the run's artifact {@code path} (a directory tree or a file) to {@code destination},
   * which must not exist yet. Returns {@code destination}.
   */
  Path downloadArtifacts(String runId, String path, Path destination);
}
