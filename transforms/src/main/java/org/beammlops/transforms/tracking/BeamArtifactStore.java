package org.beammlops.transforms.tracking;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * Artifacts in a store Beam can read and write directly: {@code file://} (and plain absolute
 * paths), {@code gs://}, {@code s3://}, or any scheme whose Beam file system is registered (the I/O
 * module on the classpath and {@code FileSystems.setDefaultPipelineOptions} called).
 */
final class BeamArtifactStore implements ArtifactStore {
  private final String rootUri;
  private final String rootSpec;

  BeamArtifactStore(String rootUri) {
    this.rootUri = stripTrailingSlash(rootUri);
    this.rootSpec = toBeamSpec(this.rootUri);
  }

  @Override
  public String rootUri() {
    return rootUri;
  }

  @Override
  public void upload(Path localFile, String relativePath) {
    String rel = ArtifactPaths.checkRelative(relativePath, "artifact path");
    if (rel.isEmpty()) {
      throw new IllegalArgumentException("an uploaded artifact needs a file name");
    }
    String spec = spec(rel);
    try {
      ResourceId id = FileSystems.matchNewResource(spec, false);
      try (WritableByteChannel channel = FileSystems.create(id, "application/octet-stream");
          OutputStream out = Channels.newOutputStream(channel)) {
        Files.copy(localFile, out);
      }
    } catch (IOException | RuntimeException e) {
      throw failure("Uploading " + localFile + " to " + display(rel), e);
    }
  }

  @Override
  public List<ArtifactInfo> list(String relativeDir) {
    String rel = ArtifactPaths.checkRelative(relativeDir, "artifact path");
    String dirSpec = spec(rel);
    try {
      String prefix = FileSystems.matchNewResource(dirSpec, true).toString();
      MatchResult match = FileSystems.match(prefix + "**", EmptyMatchTreatment.ALLOW);
      if (match.status() != MatchResult.Status.OK) {
        return List.of();
      }
      Map<String, ArtifactInfo> children = new LinkedHashMap<>();
      for (MatchResult.Metadata m : match.metadata()) {
        String full = m.resourceId().toString();
        if (!full.startsWith(prefix) || m.resourceId().isDirectory()) {
          continue;
        }
        String below = full.substring(prefix.length());
        if (below.isEmpty()) {
          continue;
        }
        int slash = below.indexOf('/');
        if (slash < 0) {
          children.put(
              below, new ArtifactInfo(ArtifactPaths.join(rel, below), false, m.sizeBytes()));
        } else {
          String dir = below.substring(0, slash);
          children.putIfAbsent(dir, new ArtifactInfo(ArtifactPaths.join(rel, dir), true, -1));
        }
      }
      List<ArtifactInfo> out = new ArrayList<>(children.values());
      out.sort((a, b) -> a.path().compareTo(b.path()));
      return out;
    } catch (IOException | RuntimeException e) {
      throw failure("Listing " + display(rel), e);
    }
  }

  @Override
  public void download(String relativePath, Path target) {
    String rel = ArtifactPaths.checkRelative(relativePath, "artifact path");
    try {
      ResourceId id = FileSystems.matchSingleFileSpec(spec(rel)).resourceId();
      Path parent = target.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempFile(parent, ".download-", ".part");
      try {
        try (ReadableByteChannel channel = FileSystems.open(id);
            InputStream in = Channels.newInputStream(channel)) {
          Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (FileNotFoundException e) {
      throw new TrackingException(
          "No artifact at " + display(rel), 404, "RESOURCE_DOES_NOT_EXIST", e);
    } catch (IOException | RuntimeException e) {
      throw failure("Downloading " + display(rel), e);
    }
  }

  private String spec(String rel) {
    return rel.isEmpty() ? rootSpec : rootSpec + "/" + rel;
  }

  private String display(String rel) {
    return rel.isEmpty() ? rootUri : rootUri + "/" + rel;
  }

  /**
   * Whether Beam has a file system for {@code scheme}: a well-formed resource of that scheme is
   * refused only when it has none (asked instead of reading the error's message).
   */
  static boolean hasFileSystem(String scheme) {
    try {
      FileSystems.matchNewResource(
          scheme.equals("file") ? "/beam-mlops-probe" : scheme + "://beam-mlops-probe/x", false);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private TrackingException failure(String what, Exception e) {
    int colon = rootSpec.indexOf("://");
    String scheme = colon > 0 ? rootSpec.substring(0, colon) : "file";
    if (e instanceof IllegalArgumentException && !hasFileSystem(scheme)) {
      return new TrackingException(
          what
              + " failed: Beam has no file system for scheme '"
              + scheme
              + "'. Put its Beam I/O module on the classpath (e.g."
              + " beam-sdks-java-io-google-cloud-platform for gs://,"
              + " beam-sdks-java-io-amazon-web-services2 for s3://) and call"
              + " FileSystems.setDefaultPipelineOptions(options) first",
          e);
    }
    if (e instanceof FileNotFoundException) {
      return new TrackingException(what + " failed: not found", 404, "RESOURCE_DOES_NOT_EXIST", e);
    }
    return new TrackingException(what + " failed: " + e, e);
  }

  private static String stripTrailingSlash(String s) {
    String out = s;
    while (out.endsWith("/") && out.length() > 1 && !out.endsWith("://")) {
      out = out.substring(0, out.length() - 1);
    }
    return out;
  }

  /** Beam's local file system takes plain paths, not {@code file:} URIs. */
  private static String toBeamSpec(String uri) {
    if (uri.toLowerCase(Locale.ROOT).startsWith("file:")) {
      return Path.of(URI.create(uri)).toString();
    }
    return uri;
  }
}
