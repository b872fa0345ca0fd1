package org.beammlops.local.tracking;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mlflow.api.proto.Service.FileInfo;
import org.mlflow.api.proto.Service.ViewType;

/**
 * The {@code mlflow-artifacts} storage: what MLflow's server serves from its artifacts destination
 * with {@code --serve-artifacts}, here the store's own {@code mlruns} folder, so that a run's
 * artifact URI {@code mlflow-artifacts:/<exp>/<run>/artifacts} is exactly its folder {@code
 * mlruns/<exp>/<run>/artifacts}, as in MLflow's plain file store. Only paths of that shape, for
 * runs that exist, can be read or written: the API cannot touch meta.yaml files, the registry or
 * anything outside the store.
 */
final class ArtifactStore {
  /** An artifact path resolved to a file system path. */
  record Location(Path path, boolean inArtifacts, boolean artifactsRoot) {}

  private final TrackingStore tracking;
  private final StoreFiles files;

  ArtifactStore(TrackingStore tracking, StoreFiles files) {
    this.tracking = tracking;
    this.files = files;
  }

  /**
   * Resolves a path relative to the artifacts root ({@code <exp>/<run>/artifacts/<file>}).
   * Shallower paths ({@code <exp>}, {@code <exp>/<run>}) resolve to their folders for listing only.
   */
  Location resolve(String rawPath) {
    String path = Validation.safeArtifactPath(rawPath == null ? "" : rawPath);
    List<String> parts =
        Arrays.stream(path.split("/")).filter(p -> !p.isEmpty() && !p.equals(".")).toList();
    if (parts.isEmpty()) {
      return new Location(tracking.mlruns(), false, false);
    }
    Path experimentDir = tracking.experimentDir(parts.get(0), ViewType.ALL);
    if (experimentDir == null) {
      throw MlflowError.notFound("No artifacts at '" + path + "': no experiment " + parts.get(0));
    }
    if (parts.size() == 1) {
      return new Location(experimentDir, false, false);
    }
    Validation.runId(parts.get(1));
    Path runDir = experimentDir.resolve(parts.get(1));
    if (!Files.isRegularFile(runDir.resolve(MetaYaml.FILE))) {
      throw MlflowError.notFound("No artifacts at '" + path + "': no run " + parts.get(1));
    }
    if (parts.size() == 2) {
      return new Location(runDir, false, false);
    }
    if (!parts.get(2).equals("artifacts")) {
      throw MlflowError.invalid(
          "Invalid path '" + path + "': artifacts live under <experiment>/<run>/artifacts/");
    }
    Path root = runDir.resolve("artifacts");
    if (parts.size() == 3) {
      return new Location(root, true, true);
    }
    return new Location(
        StoreFiles.within(root, String.join("/", parts.subList(3, parts.size()))), true, false);
  }

  /** Lists a folder: file names with sizes, sub-folders; sorted by name, like MLflow. */
  List<FileInfo> list(String rawPath) {
    Location location;
    try {
      location = resolve(rawPath);
    } catch (MlflowError e) {
      if (e.errorCode().equals(MlflowError.RESOURCE_DOES_NOT_EXIST)) {
        return List.of(); // MLflow lists a missing folder as empty
      }
      throw e;
    }
    Path dir = location.path();
    List<FileInfo> infos = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return infos;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!location.inArtifacts() && !leadsToArtifacts(dir, entry)) {
          continue;
        }
        FileInfo.Builder info = FileInfo.newBuilder().setPath(name);
        if (Files.isDirectory(entry)) {
          info.setIsDir(true);
        } else {
          info.setIsDir(false).setFileSize(Files.size(entry));
        }
        infos.add(info.build());
      }
    } catch (IOException e) {
      throw StoreFiles.storeError(dir, e);
    }
    infos.sort(java.util.Comparator.comparing(FileInfo::getPath));
    return infos;
  }

  // Above the artifact folders only the way down to them is shown: experiments, runs, "artifacts".
  private boolean leadsToArtifacts(Path dir, Path entry) {
    if (!Files.isDirectory(entry)) {
      return false;
    }
    String name = entry.getFileName().toString();
    if (dir.equals(tracking.mlruns())) {
      return !name.startsWith(".")
          && !name.equals(ModelRegistryStore.MODELS_FOLDER)
          && Files.isRegularFile(entry.resolve(MetaYaml.FILE));
    }
    if (Files.isRegularFile(dir.resolve(MetaYaml.FILE))
        && Files.isRegularFile(entry.resolve(MetaYaml.FILE))) {
      return true; // a run folder inside an experiment folder
    }
    return name.equals("artifacts") && Files.isRegularFile(dir.resolve(MetaYaml.FILE));
  }

  /** The file behind an artifact path, or RESOURCE_DOES_NOT_EXIST. */
  Path file(String rawPath) {
    Location location = resolve(rawPath);
    if (!location.inArtifacts() || !Files.isRegularFile(location.path())) {
      throw MlflowError.notFound("Artifact '" + rawPath + "' does not exist");
    }
    return location.path();
  }

  /**
   * Streams {@code body} into a temporary file, at most {@code limit} bytes, then moves it onto the
   * artifact path in one rename: a reader never sees half an upload, a failed or oversized upload
   * leaves nothing behind.
   */
  void upload(String rawPath, InputStream body, long limit) {
    Location location = resolve(rawPath);
    if (!location.inArtifacts() || location.artifactsRoot()) {
      throw MlflowError.invalid(
          "Invalid path '" + rawPath + "': upload to <experiment>/<run>/artifacts/<file>");
    }
    Path target = location.path();
    if (Files.isDirectory(target)) {
      throw MlflowError.invalid("Invalid path '" + rawPath + "': it is a folder");
    }
    Path tmp = files.newTempFile("upload");
    try {
      try (OutputStream out =
          Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = body.read(buffer)) > 0) {
          total += n;
          if (total > limit) {
            throw MlflowError.tooLarge(limit);
          }
          out.write(buffer, 0, n);
        }
      }
      Files.createDirectories(target.getParent());
      StoreFiles.moveIntoPlace(tmp, target);
    } catch (IOException e) {
      throw StoreFiles.storeError(target, e);
    } finally {
      StoreFiles.deleteQuietly(tmp);
    }
  }

  /**
   * The artifact path (relative to the artifacts root) of a run artifact URI served here, or null
   * if the URI is not an {@code mlflow-artifacts} one.
   */
  static String pathOf(String artifactUri) {
    if (artifactUri == null || !artifactUri.startsWith(TrackingStore.ARTIFACTS_SCHEME)) {
      return null;
    }
    String rest = artifactUri.substring(TrackingStore.ARTIFACTS_SCHEME.length());
    if (rest.startsWith("//")) {
      int slash = rest.indexOf('/', 2); // mlflow-artifacts://host:port/path
      rest = slash < 0 ? "" : rest.substring(slash);
    }
    return rest.replaceAll("^/+", "");
  }
}
