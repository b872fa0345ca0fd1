package org.beammlops.transforms.tracking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache of local copies behind {@link TrackingClient#resolve}: one directory per key, filled in
 * a temporary directory under {@code <cache>/.tmp} and renamed into place, so that a copy is either
 * complete or absent, and concurrent resolvers (threads or processes) share one copy.
 */
final class LocalCopies {
  private static final Logger LOG = LoggerFactory.getLogger(LocalCopies.class);

  private LocalCopies() {}

  /**
   * The local copy of {@code location} at {@code key} (a directory) or {@code key.file/<name>} (a
   * single file), downloading it first if absent.
   */
  static Path copyOf(
      String location, Path key, Path cacheDir, Function<String, ArtifactStore> storeFor) {
    String fileName = ArtifactPaths.basename(ArtifactPaths.stripTrailingSlashes(location));
    if (fileName.isEmpty() || fileName.contains(":")) {
      fileName = "artifact";
    }
    Path fileKey = key.resolveSibling(key.getFileName() + ".file");
    if (Files.isDirectory(key)) {
      return key;
    }
    if (Files.isDirectory(fileKey)) {
      try (Stream<Path> files = Files.list(fileKey)) {
        Optional<Path> only = files.findFirst();
        if (only.isPresent()) {
          return only.get();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Path tmpRoot = cacheDir.resolve(".tmp");
    Path tmp = tmpRoot.resolve(UUID.randomUUID().toString());
    try {
      Files.createDirectories(tmpRoot);
      Files.createDirectories(key.getParent());
      ArtifactStore store = storeFor.apply(location);
      Path content = tmp.resolve("content");
      Files.createDirectories(tmp);
      boolean directory;
      try {
        directory = store.downloadTree("", content);
      } catch (TrackingException e) {
        if (e.isNotFound()) {
          throw new TrackingException(
              "No artifacts at " + location, 404, "RESOURCE_DOES_NOT_EXIST", e);
        }
        throw e;
      }
      Path finalPath;
      if (directory) {
        finalPath = key;
        moveIntoPlace(content, key);
      } else {
        Path wrapper = tmp.resolve("file");
        Files.createDirectories(wrapper);
        Files.move(content, wrapper.resolve(fileName));
        moveIntoPlace(wrapper, fileKey);
        finalPath = fileKey.resolve(fileName);
        if (!Files.exists(finalPath)) {
          try (Stream<Path> files = Files.list(fileKey)) {
            finalPath = files.findFirst().orElse(finalPath);
          }
        }
      }
      LOG.info("Resolved {} to {}", location, finalPath);
      return finalPath;
    } catch (IOException e) {
      throw new TrackingException("Cannot copy " + location + " into " + key + ": " + e, e);
    } finally {
      deleteRecursively(tmp);
    }
  }

  private static void moveIntoPlace(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileSystemException e) {
      // Another resolver got there first (rename(2) onto a non-empty directory fails with
      // ENOTEMPTY, reported as a plain FileSystemException): its copy is as good as ours.
      if (!Files.isDirectory(to)) {
        throw e;
      }
    }
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // best effort
                }
              });
    } catch (IOException ignored) {
      // best effort
    }
  }

  /** A file-name-safe, collision-free rendering of {@code name}: readable part + hash. */
  static String safeName(String name) {
    String readable = name.replaceAll("[^A-Za-z0-9._-]", "_");
    if (readable.length() > 64) {
      readable = readable.substring(0, 64);
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      return readable + "-" + HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
