package org.beammlops.transforms.tracking;

import static org.beammlops.transforms.tracking.Checks.text;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Picks the store behind an artifact URI and works with it: the server's {@code mlflow-artifacts}
 * proxy for {@code mlflow-artifacts:} (and {@code http(s)://.../api/2.0/mlflow-artifacts/...})
 * URIs, Beam {@code FileSystems} for everything else ({@code file://}, absolute paths, {@code
 * gs://}, {@code s3://}).
 */
final class ArtifactStores {
  private final TrackingHttp http;

  ArtifactStores(TrackingHttp http) {
    this.http = http;
  }

  void logArtifactTo(String artifactUri, Path file, String artifactDir) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("Not a file: " + file);
    }
    String dir = ArtifactPaths.checkRelative(artifactDir, "artifact path");
    storeFor(artifactUri).upload(file, ArtifactPaths.join(dir, file.getFileName().toString()));
  }

  void logArtifactsTo(String artifactUri, Path localDir, String artifactPath) {
    if (!Files.isDirectory(localDir)) {
      throw new IllegalArgumentException("Not a directory: " + localDir);
    }
    String dir = ArtifactPaths.checkRelative(artifactPath, "artifact path");
    storeFor(artifactUri).uploadTree(localDir, dir);
  }

  List<ArtifactInfo> listArtifactsAt(String artifactUri, String path) {
    return storeFor(artifactUri).list(ArtifactPaths.checkRelative(path, "artifact path"));
  }

  Path downloadArtifactsFrom(String artifactUri, String path, Path destination) {
    if (Files.exists(destination)) {
      throw new IllegalArgumentException("Destination exists already: " + destination);
    }
    storeFor(artifactUri)
        .downloadTree(ArtifactPaths.checkRelative(path, "artifact path"), destination);
    return destination;
  }

  /** The store behind {@code artifactUri}. */
  ArtifactStore storeFor(String artifactUri) {
    text(artifactUri, "artifact URI");
    TrackingConfig config = http.config();
    String lower = artifactUri.toLowerCase(Locale.ROOT);
    if (lower.startsWith("mlflow-artifacts:")) {
      URI uri = URI.create(artifactUri);
      String path = uri.getRawPath() == null ? "" : stripSlashes(decodePath(uri.getRawPath()));
      String base =
          uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty()
              ? config.trackingUri().getScheme() + "://" + uri.getRawAuthority()
              : config.trackingUri().toString();
      return new HttpArtifactStore(http, base, path);
    }
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      URI uri = URI.create(artifactUri);
      String rawPath = uri.getRawPath() == null ? "" : uri.getRawPath();
      int at = rawPath.indexOf(HttpArtifactStore.ENDPOINT);
      if (at < 0) {
        throw new TrackingException(
            "Unsupported artifact URI "
                + config.redact(artifactUri)
                + ": an http(s) artifact URI must point at a server's "
                + HttpArtifactStore.ENDPOINT
                + " endpoint");
      }
      String base = uri.getScheme() + "://" + uri.getRawAuthority() + rawPath.substring(0, at);
      String path =
          stripSlashes(decodePath(rawPath.substring(at + HttpArtifactStore.ENDPOINT.length())));
      return new HttpArtifactStore(http, base, path);
    }
    if (lower.startsWith("runs:") || lower.startsWith("models:")) {
      throw new IllegalArgumentException(
          "Not an artifact store URI: " + artifactUri + " (resolve it with resolve(...) instead)");
    }
    return new BeamArtifactStore(artifactUri);
  }

  private static String stripSlashes(String s) {
    String out = s;
    while (out.startsWith("/")) {
      out = out.substring(1);
    }
    while (out.endsWith("/")) {
      out = out.substring(0, out.length() - 1);
    }
    return out;
  }

  private static String decodePath(String raw) {
    return URI.create("x:" + (raw.startsWith("/") ? raw : "/" + raw)).getPath();
  }
}
