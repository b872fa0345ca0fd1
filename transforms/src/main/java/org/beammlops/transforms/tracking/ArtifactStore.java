package org.beammlops.transforms.tracking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a run's (or a model version's) artifacts live: the tracking server's {@code
 * mlflow-artifacts} endpoints, or a Beam file system ({@code file://}, {@code gs://}, {@code
 * s3://}). Paths are relative to the store's root.
 */
interface ArtifactStore {

  /** The root, as an artifact URI, for messages. */
  String rootUri();

  /** Uploads one local file to {@code relativePath} (a file path under the root). */
  void upload(Path localFile, String relativePath);

  /** The immediate children of directory {@code relativeDir} ("" = root); empty if none. */
  List<ArtifactInfo> list(String relativeDir);

  /** Downloads file {@code relativePath} ("" = the root itself is a file) to {@code target}. */
  void download(String relativePath, Path target);

  /** Uploads every regular file under {@code localDir} to {@code relativeDir}. */
  default void uploadTree(Path localDir, String relativeDir) {
    List<Path> files;
    try (var stream = Files.walk(localDir)) {
      files = stream.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + localDir, e);
    }
    for (Path file : files) {
      String rel = localDir.relativize(file).toString().replace(java.io.File.separatorChar, '/');
      upload(file, ArtifactPaths.join(relativeDir, rel));
    }
  }

  /**
   * Downloads {@code relativePath} to {@code target}: the directory tree under it if it is a
   * directory, else the single file. Returns true for a directory.
   */
  default boolean downloadTree(String relativePath, Path target) {
    List<ArtifactInfo> children = list(relativePath);
    if (children.isEmpty()) {
      download(relativePath, target);
      return false;
    }
    downloadChildren(children, target);
    return true;
  }

  private void downloadChildren(List<ArtifactInfo> children, Path targetDir) {
    try {
      Files.createDirectories(targetDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + targetDir, e);
    }
    for (ArtifactInfo child : children) {
      String name = ArtifactPaths.basename(child.path());
      Path local = ArtifactPaths.resolveInside(targetDir, name);
      if (child.directory()) {
        downloadChildren(list(child.path()), local);
      } else {
        download(child.path(), local);
      }
    }
  }
}
