package org.beammlops.transforms.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Artifacts behind a tracking server's proxy: {@code PUT/GET
 * <base>/api/2.0/mlflow-artifacts/artifacts/<path>} and {@code GET
 * <base>/api/2.0/mlflow-artifacts/artifacts?path=<dir>}, as MLflow's {@code
 * MlflowArtifactsRepository} uses them.
 */
final class HttpArtifactStore implements ArtifactStore {
  static final String ENDPOINT = "/api/2.0/mlflow-artifacts/artifacts";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TrackingHttp http;
  private final String serverBase;
  private final String rootPath;

  /**
   * @param serverBase e.g. {@code http://127.0.0.1:5000} (no trailing slash)
   * @param rootPath the artifact root below the proxy, e.g. {@code 1/<run>/artifacts}
   */
  HttpArtifactStore(TrackingHttp http, String serverBase, String rootPath) {
    this.http = http;
    this.serverBase = serverBase;
    this.rootPath = ArtifactPaths.checkRelative(rootPath, "artifact root");
  }

  @Override
  public String rootUri() {
    return "mlflow-artifacts:/" + rootPath;
  }

  @Override
  public void upload(Path localFile, String relativePath) {
    String rel = ArtifactPaths.checkRelative(relativePath, "artifact path");
    if (rel.isEmpty()) {
      throw new IllegalArgumentException("an uploaded artifact needs a file name");
    }
    http.upload("PUT " + ENDPOINT + "/" + full(rel), fileUri(full(rel)), localFile);
  }

  @Override
  public List<ArtifactInfo> list(String relativeDir) {
    String rel = ArtifactPaths.checkRelative(relativeDir, "artifact path");
    String full = full(rel);
    URI uri =
        URI.create(
            serverBase + ENDPOINT + (full.isEmpty() ? "" : "?path=" + ArtifactPaths.encode(full)));
    String body = http.send("GET " + ENDPOINT + "?path=" + full, "GET", uri, null, null);
    List<ArtifactInfo> out = new ArrayList<>();
    JsonNode files;
    try {
      files = JSON.readTree(body.isBlank() ? "{}" : body).path("files");
    } catch (IOException e) {
      throw new TrackingException(
          "Listing artifacts at "
              + rootUri()
              + "/"
              + rel
              + " returned invalid JSON: "
              + e.getMessage());
    }
    for (JsonNode f : files) {
      String name = ArtifactPaths.basename(f.path("path").asText(""));
      if (name.isEmpty()) {
        continue;
      }
      boolean dir = f.path("is_dir").asBoolean(false);
      long size = f.has("file_size") ? f.get("file_size").asLong(-1) : -1;
      out.add(new ArtifactInfo(ArtifactPaths.join(rel, name), dir, dir ? -1 : size));
    }
    return out;
  }

  @Override
  public void download(String relativePath, Path target) {
    String rel = ArtifactPaths.checkRelative(relativePath, "artifact path");
    String full = full(rel);
    if (full.isEmpty()) {
      throw new IllegalArgumentException("cannot download the artifact proxy's root as a file");
    }
    http.download("GET " + ENDPOINT + "/" + full, fileUri(full), target);
  }

  private String full(String rel) {
    return ArtifactPaths.join(rootPath, rel);
  }

  private URI fileUri(String full) {
    return URI.create(serverBase + ENDPOINT + "/" + ArtifactPaths.encodePath(full));
  }
}
