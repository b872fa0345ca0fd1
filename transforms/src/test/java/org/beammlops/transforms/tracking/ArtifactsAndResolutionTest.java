package org.beammlops.transforms.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.beammlops.transforms.model.MlflowModel;
import org.beammlops.transforms.model.MlflowModelReader;
import org.beammlops.transforms.model.MlflowModelWriter;
import org.beammlops.transforms.tracking.LocalHttpServer.Answer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artifacts in a Beam file system ({@code file://}) and resolution of model URIs to cached local
 * copies. The registry answers come from a small local HTTP server speaking MLflow's JSON.
 */
class ArtifactsAndResolutionTest {
  private static final byte[] ONNX = {0x08, 0x07, 0x12, 0x04, 'o', 'n', 'n', 'x'};

  @TempDir Path tmp;

  private Path writeModel(Path dir) {
    MlflowModelWriter.builder()
        .onnxModel(ONNX)
        .extraFile(MlflowModel.FEATURE_SPEC, "{\"features\": []}".getBytes(StandardCharsets.UTF_8))
        .write(dir);
    return dir;
  }

  private static TrackingClient client(String uri, Path cache) {
    return TrackingClient.create(
        TrackingConfig.builder()
            .trackingUri(uri)
            .cacheDir(cache)
            .retryPolicy(new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(5)))
            .build());
  }

  @Test
  void uploadsListsAndDownloadsThroughBeamFileSystems() throws IOException {
    Path model = writeModel(tmp.resolve("local-model"));
    Path root = Files.createDirectories(tmp.resolve("store/1/run1/artifacts"));
    try (TrackingClient client = client("http://127.0.0.1:9", tmp.resolve("cache"))) {
      String artifactUri = root.toUri().toString(); // file:///.../artifacts/
      assertTrue(artifactUri.startsWith("file:/"), artifactUri);
      client.stores().logArtifactsTo(artifactUri, model, "model");
      client
          .stores()
          .logArtifactTo(artifactUri, Files.writeString(tmp.resolve("notes.txt"), "hello"), "");

      List<ArtifactInfo> top = client.stores().listArtifactsAt(artifactUri, "");
      assertEquals(
          List.of(new ArtifactInfo("model", true, -1), new ArtifactInfo("notes.txt", false, 5)),
          top);
      List<String> inModel = new ArrayList<>();
      client.stores().listArtifactsAt(artifactUri, "model").forEach(a -> inModel.add(a.path()));
      assertEquals(
          List.of(
              "model/MLmodel",
              "model/conda.yaml",
              "model/feature_spec.json",
              "model/model.onnx",
              "model/python_env.yaml",
              "model/requirements.txt"),
          inModel);
      assertTrue(client.stores().listArtifactsAt(artifactUri, "absent").isEmpty());

      Path copy = client.stores().downloadArtifactsFrom(artifactUri, "model", tmp.resolve("copy"));
      MlflowModel read = MlflowModelReader.read(copy);
      assertArrayEquals(ONNX, Files.readAllBytes(read.modelOnnx()));
      assertTrue(read.featureSpec().isPresent());

      // A plain absolute path is a local artifact URI too.
      Path single =
          client.stores().downloadArtifactsFrom(root.toString(), "notes.txt", tmp.resolve("n.txt"));
      assertEquals("hello", Files.readString(single));

      assertThrows(
          IllegalArgumentException.class,
          () -> client.stores().logArtifactsTo(artifactUri, model, "../escape"));
      assertThrows(
          IllegalArgumentException.class,
          () -> client.stores().downloadArtifactsFrom(artifactUri, "model", tmp.resolve("copy")));
      TrackingException missing =
          assertThrows(
              TrackingException.class,
              () ->
                  client
                      .stores()
                      .downloadArtifactsFrom(artifactUri, "nothing", tmp.resolve("none")));
      assertTrue(missing.isNotFound(), missing.getMessage());
    }
  }

  @Test
  void unknownSchemesSayWhichBeamModuleIsMissing() {
    try (TrackingClient client = client("http://127.0.0.1:9", tmp.resolve("cache"))) {
      TrackingException e =
          assertThrows(
              TrackingException.class,
              () -> client.stores().listArtifactsAt("s3://bucket/1/run/artifacts", ""));
      assertTrue(e.getMessage().contains("no file system for scheme 's3'"), e.getMessage());
      assertThrows(
          TrackingException.class,
          () -> client.stores().listArtifactsAt("http://elsewhere/some/path", ""));
    }
  }

  /** A registry with version 3 of 'flights' (alias champion) from run1, artifacts on disk. */
  private LocalHttpServer registry(Path artifactRoot) throws IOException {
    String version =
        "{\"name\": \"flights\", \"version\": \"3\", \"source\": \"runs:/run1/model\","
            + " \"run_id\": \"run1\", \"status\": \"READY\", \"aliases\": [\"champion\"],"
            + " \"creation_timestamp\": 1700000000000, \"tags\": [{\"key\": \"k\", \"value\": \"v\"}]}";
    String run =
        "{\"run\": {\"info\": {\"run_id\": \"run1\", \"run_uuid\": \"run1\", \"experiment_id\":"
            + " \"1\", \"status\": \"FINISHED\", \"artifact_uri\": \""
            + artifactRoot.toUri()
            + "\", \"lifecycle_stage\": \"active\"}, \"data\": {}}}";
    return new LocalHttpServer(
        (r, n) -> {
          String p = r.path();
          if (p.endsWith("/registered-models/alias")) {
            return r.query().contains("alias=champion")
                ? Answer.json(200, "{\"model_version\": " + version + "}")
                : Answer.json(
                    404,
                    "{\"error_code\": \"RESOURCE_DOES_NOT_EXIST\", \"message\": \"no alias\"}");
          }
          if (p.endsWith("/model-versions/get")) {
            return Answer.json(200, "{\"model_version\": " + version + "}");
          }
          if (p.endsWith("/model-versions/get-download-uri")) {
            // An older server without the endpoint: the client falls back to the source.
            return Answer.json(404, "{\"error_code\": \"ENDPOINT_NOT_FOUND\"}");
          }
          if (p.endsWith("/runs/get")) {
            return Answer.json(200, run);
          }
          return Answer.json(404, "{\"error_code\": \"ENDPOINT_NOT_FOUND\"}");
        });
  }

  @Test
  void resolvesAliasesVersionsAndRunsToCachedLocalCopies() throws IOException {
    Path artifactRoot = Files.createDirectories(tmp.resolve("store/1/run1/artifacts"));
    writeModel(artifactRoot.resolve("model"));
    Path cache = tmp.resolve("cache");
    try (LocalHttpServer server = registry(artifactRoot);
        TrackingClient client = client(server.uri(), cache)) {
      ResolvedModel champion = client.resolve(ModelUri.parse("models:/flights@champion"));
      assertEquals(3, champion.registeredVersion().orElseThrow().version());
      assertEquals(List.of("champion"), champion.version().aliases());
      assertEquals("v", champion.version().tags().get("k"));
      assertTrue(champion.localPath().startsWith(cache), champion.localPath().toString());
      assertArrayEquals(
          ONNX, Files.readAllBytes(MlflowModelReader.read(champion.localPath()).modelOnnx()));
      assertTrue(champion.sourceUri().endsWith("/artifacts/model"), champion.sourceUri());

      // The version's files are cached: gone from the store, still resolvable, same copy.
      deleteTree(artifactRoot.resolve("model"));
      Path byVersion = client.localCopy("models:/flights/3");
      assertEquals(champion.localPath(), byVersion);
      assertEquals(
          champion.localPath(),
          client.resolve(ModelUri.parse("models:/flights@champion")).localPath());

      TrackingException noAlias =
          assertThrows(
              TrackingException.class, () -> client.localCopy("models:/flights@challenger"));
      assertTrue(noAlias.isNotFound());
      assertTrue(noAlias.getMessage().contains("has no alias 'challenger'"), noAlias.getMessage());
      assertFalse(hasLeftovers(cache));
    }
  }

  @Test
  void sameNameAndVersionOnAnotherServerIsAnotherCopy() throws IOException {
    Path firstRoot = Files.createDirectories(tmp.resolve("first/1/run1/artifacts"));
    writeModel(firstRoot.resolve("model"));
    Path secondRoot = Files.createDirectories(tmp.resolve("second/1/run1/artifacts"));
    writeModel(secondRoot.resolve("model"));
    byte[] other = {0x08, 0x07, 0x12, 0x05, 'o', 't', 'h', 'e', 'r'};
    Files.write(secondRoot.resolve("model").resolve(MlflowModel.MODEL_ONNX), other);
    Path cache = tmp.resolve("cache");
    try (LocalHttpServer first = registry(firstRoot);
        LocalHttpServer second = registry(secondRoot);
        TrackingClient firstClient = client(first.uri(), cache);
        TrackingClient secondClient = client(second.uri(), cache)) {
      Path a = firstClient.localCopy("models:/flights@champion");
      Path b = secondClient.localCopy("models:/flights@champion");
      assertFalse(a.equals(b), a.toString());
      assertArrayEquals(ONNX, Files.readAllBytes(MlflowModelReader.read(a).modelOnnx()));
      assertArrayEquals(other, Files.readAllBytes(MlflowModelReader.read(b).modelOnnx()));
    }
  }

  @Test
  void resolvesASingleFileAndReportsMissingArtifacts() throws IOException {
    Path artifactRoot = Files.createDirectories(tmp.resolve("store/1/run1/artifacts"));
    writeModel(artifactRoot.resolve("model"));
    Path cache = tmp.resolve("cache");
    try (LocalHttpServer server = registry(artifactRoot);
        TrackingClient client = client(server.uri(), cache)) {
      Path mlmodel = client.localCopy("runs:/run1/model/MLmodel");
      assertEquals("MLmodel", mlmodel.getFileName().toString());
      assertTrue(Files.readString(mlmodel).contains("loader_module: mlflow.onnx"));
      assertEquals(mlmodel, client.localCopy("runs:/run1/model/MLmodel"));

      TrackingException missing =
          assertThrows(TrackingException.class, () -> client.localCopy("runs:/run1/nothing"));
      assertTrue(missing.getMessage().contains("No artifacts at"), missing.getMessage());
      assertFalse(hasLeftovers(cache));
    }
  }

  @Test
  void concurrentResolversShareOneCompleteCopy() throws Exception {
    Path artifactRoot = Files.createDirectories(tmp.resolve("store/1/run1/artifacts"));
    writeModel(artifactRoot.resolve("model"));
    Path cache = tmp.resolve("cache");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (LocalHttpServer server = registry(artifactRoot);
        TrackingClient client = client(server.uri(), cache)) {
      List<Future<Path>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        futures.add(pool.submit(() -> client.localCopy("models:/flights/3")));
      }
      Path first = futures.get(0).get();
      for (Future<Path> f : futures) {
        assertEquals(first, f.get());
      }
      assertArrayEquals(ONNX, Files.readAllBytes(MlflowModelReader.read(first).modelOnnx()));
      assertFalse(hasLeftovers(cache));
    } finally {
      pool.shutdownNow();
    }
  }

  private static boolean hasLeftovers(Path cache) throws IOException {
    Path tmpDir = cache.resolve(".tmp");
    if (!Files.exists(tmpDir)) {
      return false;
    }
    try (Stream<Path> s = Files.list(tmpDir)) {
      return s.findAny().isPresent();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted((a, b) -> b.compareTo(a)).toList()) {
        Files.delete(p);
      }
    }
  }
}
