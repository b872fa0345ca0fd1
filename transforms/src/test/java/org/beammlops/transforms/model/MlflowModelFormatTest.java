package org.beammlops.transforms.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlflowModelFormatTest {
  private static final byte[] ONNX = {0x08, 0x07, 0x12, 0x04, 't', 'e', 's', 't'};
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  static ModelSignature tensorSignature() {
    return new ModelSignature(
        ModelSchema.of(SchemaSpec.Tensor.of("features", "float32", -1, 8)),
        ModelSchema.of(SchemaSpec.Tensor.of("delay", "float32", -1, 1)));
  }

  static MlflowModelWriter writer() throws Exception {
    return MlflowModelWriter.builder()
        .onnxModel(ONNX)
        .signature(tensorSignature())
        .extraJson(MlflowModel.FEATURE_SPEC, JSON.readTree("{\"features\": [\"distance\"]}"))
        .extraFile(MlflowModel.REFERENCE_PROFILE, "{\"rows\": 3}".getBytes(StandardCharsets.UTF_8))
        .metadata("use_case", "flights")
        .clock(Clock.fixed(Instant.parse("2026-11-22T10:15:30.123456Z"), ZoneOffset.UTC));
  }

  @Test
  void writesTheLayoutOfMlflowOnnxSaveModel() throws Exception {
    Path dir = tmp.resolve("model");
    writer().write(dir);

    try (Stream<Path> files = Files.list(dir)) {
      Set<String> names = files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
      assertEquals(
          Set.of(
              "MLmodel",
              "model.onnx",
              "conda.yaml",
              "python_env.yaml",
              "requirements.txt",
              "feature_spec.json",
              "reference_profile.json"),
          names);
    }
    assertArrayEquals(ONNX, Files.readAllBytes(dir.resolve("model.onnx")));

    JsonNode mlmodel = new YAMLMapper().readTree(dir.resolve("MLmodel").toFile());
    JsonNode onnx = mlmodel.path("flavors").path("onnx");
    assertEquals("model.onnx", onnx.path("data").asText());
    assertEquals(MlflowModelWriter.DEFAULT_ONNX_VERSION, onnx.path("onnx_version").asText());
    assertEquals(
        List.of("CUDAExecutionProvider", "CPUExecutionProvider"),
        JSON.convertValue(onnx.path("providers"), List.class));
    assertTrue(onnx.has("code") && onnx.get("code").isNull());
    JsonNode pyfunc = mlmodel.path("flavors").path("python_function");
    assertEquals("mlflow.onnx", pyfunc.path("loader_module").asText());
    assertEquals("model.onnx", pyfunc.path("data").asText());
    assertEquals("conda.yaml", pyfunc.path("env").path("conda").asText());
    assertEquals("python_env.yaml", pyfunc.path("env").path("virtualenv").asText());
    assertEquals(MlflowModelWriter.DEFAULT_PYTHON_VERSION, pyfunc.path("python_version").asText());
    assertEquals("2.17.2", mlmodel.path("mlflow_version").asText());
    assertEquals("2026-11-22 10:15:30.123456", mlmodel.path("utc_time_created").asText());
    assertTrue(mlmodel.path("model_uuid").asText().matches("[0-9a-f]{32}"));
    assertEquals(
        ONNX.length + Files.size(dir.resolve("feature_spec.json")) + 11,
        mlmodel.path("model_size_bytes").asLong());
    assertFalse(mlmodel.has("artifact_path"), "MLflow omits a null artifact_path");
    assertFalse(mlmodel.has("run_id"), "MLflow omits a null run_id");

    // The signature holds MLflow's JSON strings, laid out as Python's json.dumps.
    JsonNode signature = mlmodel.path("signature");
    assertTrue(signature.path("inputs").isTextual());
    assertEquals(
        "[{\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"float32\", \"shape\": [-1, 8]},"
            + " \"name\": \"features\"}]",
        signature.path("inputs").asText());
    assertTrue(signature.has("params") && signature.get("params").isNull());
    assertEquals(
        List.of("feature_spec.json", "reference_profile.json"),
        JSON.convertValue(mlmodel.path("metadata").path("beam_mlops_files"), List.class));

    // The timestamp is quoted, so YAML 1.1 readers (PyYAML) keep it a string.
    String text = Files.readString(dir.resolve("MLmodel"));
    assertTrue(text.contains("utc_time_created: \"2026-11-22 10:15:30.123456\""), text);
    assertFalse(text.startsWith("---"), text);
    // Keys sorted, as yaml.safe_dump writes them.
    assertTrue(text.indexOf("flavors:") < text.indexOf("mlflow_version:"));
    assertTrue(text.indexOf("model_uuid:") < text.indexOf("signature:"));

    JsonNode conda = new YAMLMapper().readTree(dir.resolve("conda.yaml").toFile());
    assertEquals("mlflow-env", conda.path("name").asText());
    assertEquals("python=3.10.12", conda.path("dependencies").get(0).asText());
    assertEquals("mlflow==2.17.2", conda.path("dependencies").get(2).path("pip").get(0).asText());
    JsonNode pythonEnv = new YAMLMapper().readTree(dir.resolve("python_env.yaml").toFile());
    assertEquals("3.10.12", pythonEnv.path("python").asText());
    assertEquals("-r requirements.txt", pythonEnv.path("dependencies").get(0).asText());
    assertEquals(
        List.of("mlflow==2.17.2", "onnx==1.17.0", "onnxruntime==1.19.2"),
        Files.readAllLines(dir.resolve("requirements.txt")));
  }

  @Test
  void readsBackWhatWasWritten() throws Exception {
    Path dir = tmp.resolve("model");
    MlflowModel written = writer().loggedAs("abc123", "model").write(dir);
    MlflowModel read = MlflowModelReader.read(dir);

    assertEquals(written, read);
    assertEquals(dir.toAbsolutePath(), read.directory());
    assertEquals(dir.resolve("model.onnx").toAbsolutePath(), read.modelOnnx());
    assertEquals(
        dir.resolve("feature_spec.json").toAbsolutePath(), read.featureSpec().orElseThrow());
    assertEquals(
        dir.resolve("reference_profile.json").toAbsolutePath(),
        read.referenceProfile().orElseThrow());
    assertEquals(List.of("onnx", "python_function"), read.flavorNames());
    assertEquals("flights", read.metadata().get("use_case"));
    assertEquals("abc123", read.runId());
    assertEquals("model", read.artifactPath());
    assertEquals(tensorSignature(), read.signature());
  }

  @Test
  void columnSignatureRoundTrips() throws Exception {
    ModelSignature signature =
        new ModelSignature(
            ModelSchema.of(
                SchemaSpec.Column.of("distance", ColumnType.DOUBLE),
                new SchemaSpec.Column("origin", ColumnType.STRING, false),
                SchemaSpec.Column.of("hour", ColumnType.LONG)),
            null);
    assertEquals(
        "[{\"type\": \"double\", \"name\": \"distance\", \"required\": true},"
            + " {\"type\": \"string\", \"name\": \"origin\", \"required\": false},"
            + " {\"type\": \"long\", \"name\": \"hour\", \"required\": true}]",
        signature.inputs().toJson());
    MlflowModel written =
        MlflowModelWriter.builder().onnxModel(ONNX).signature(signature).write(tmp.resolve("m"));
    MlflowModel read = MlflowModelReader.read(tmp.resolve("m"));
    assertEquals(written, read);
    assertEquals(signature, read.signature());
    assertTrue(read.extraFiles().isEmpty());
    JsonNode mlmodel = new YAMLMapper().readTree(tmp.resolve("m/MLmodel").toFile());
    assertTrue(mlmodel.path("signature").get("outputs").isNull());
  }

  @Test
  void readsAModelAsPythonMlflowWritesIt() throws URISyntaxException {
    Path dir = Path.of(getClass().getResource("/model/python-onnx/MLmodel").toURI()).getParent();
    MlflowModel model = MlflowModelReader.read(dir);
    assertEquals("1.16.2", model.onnx().onnxVersion());
    assertEquals("2024-11-05 09:13:44.123456", model.utcTimeCreated());
    assertEquals(8L, model.modelSizeBytes());
    assertEquals("mlflow.onnx", model.pythonFunction().loaderModule());
    assertEquals("python_env.yaml", model.pythonFunction().virtualenv());
    assertEquals(
        ModelSchema.of(
            SchemaSpec.Column.of("distance", ColumnType.DOUBLE),
            new SchemaSpec.Column("origin", ColumnType.STRING, false)),
        model.signature().inputs());
    assertEquals(
        ModelSchema.of(SchemaSpec.Tensor.of(null, "float32", -1, 1)), model.signature().outputs());
    assertEquals(Set.of("feature_spec.json"), model.extraFiles().keySet());
    assertNull(model.artifactPath());
  }

  @Test
  void rejectsWhatIsNotAnOnnxMlflowModel() throws Exception {
    ModelFormatException missing =
        assertThrows(
            ModelFormatException.class, () -> MlflowModelReader.read(tmp.resolve("absent")));
    assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());

    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertTrue(
        assertThrows(ModelFormatException.class, () -> MlflowModelReader.read(file))
            .getMessage()
            .contains("is not a directory"));

    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertTrue(
        assertThrows(ModelFormatException.class, () -> MlflowModelReader.read(empty))
            .getMessage()
            .contains("has no MLmodel file"));

    Path badYaml = Files.createDirectories(tmp.resolve("bad-yaml"));
    Files.writeString(badYaml.resolve("MLmodel"), "flavors: [unclosed\n  x: {");
    assertTrue(
        assertThrows(ModelFormatException.class, () -> MlflowModelReader.read(badYaml))
            .getMessage()
            .contains("not valid YAML"));

    Path noFlavors = Files.createDirectories(tmp.resolve("no-flavors"));
    Files.writeString(noFlavors.resolve("MLmodel"), "mlflow_version: 2.17.2\n");
    assertTrue(
        assertThrows(ModelFormatException.class, () -> MlflowModelReader.read(noFlavors))
            .getMessage()
            .contains("declares no flavors"));

    Path sklearn = Files.createDirectories(tmp.resolve("sklearn"));
    Files.writeString(
        sklearn.resolve("MLmodel"),
        "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n"
            + "  sklearn:\n    pickled_model: model.pkl\n");
    String noOnnx =
        assertThrows(ModelFormatException.class, () -> MlflowModelReader.read(sklearn))
            .getMessage();
    assertTrue(noOnnx.contains("has no 'onnx' flavor"), noOnnx);
    assertTrue(noOnnx.contains("python_function, sklearn"), noOnnx);

    Path noFile = Files.createDirectories(tmp.resolve("no-file"));
    Files.writeString(noFile.resolve("MLmodel"), "flavors:\n  onnx:\n    data: model.onnx\n");
    assertTrue(
        assertThrows(ModelFormatException.class, () -> MlflowModelReader.read(noFile))
            .getMessage()
            .contains("declares ONNX model 'model.onnx' but it is missing"));

    Path escape = Files.createDirectories(tmp.resolve("escape"));
    Files.writeString(escape.resolve("MLmodel"), "flavors:\n  onnx:\n    data: ../file\n");
    assertTrue(
        assertThrows(ModelFormatException.class, () -> MlflowModelReader.read(escape))
            .getMessage()
            .contains("leaves its directory"));

    Path badSignature = Files.createDirectories(tmp.resolve("bad-signature"));
    Files.write(badSignature.resolve("model.onnx"), ONNX);
    Files.writeString(
        badSignature.resolve("MLmodel"),
        "flavors:\n  onnx:\n    data: model.onnx\nsignature:\n  inputs: '[{\"type\": \"tensor\"}]'\n");
    assertTrue(
        assertThrows(ModelFormatException.class, () -> MlflowModelReader.read(badSignature))
            .getMessage()
            .contains("Invalid signature"));
  }

  @Test
  void writerRefusesBadInput() throws Exception {
    Path full = Files.createDirectories(tmp.resolve("full"));
    Files.writeString(full.resolve("something"), "x");
    assertThrows(
        ModelFormatException.class, () -> MlflowModelWriter.builder().onnxModel(ONNX).write(full));
    assertThrows(IllegalStateException.class, () -> MlflowModelWriter.builder().write(tmp));
    assertThrows(
        IllegalArgumentException.class, () -> MlflowModelWriter.builder().onnxModel(new byte[0]));
    for (String bad :
        List.of("MLmodel", "model.onnx", "conda.yaml", "../x", "a/b", ".hidden", "")) {
      assertThrows(
          IllegalArgumentException.class,
          () -> MlflowModelWriter.builder().extraFile(bad, new byte[] {1}),
          bad);
    }
    assertThrows(
        IllegalArgumentException.class,
        () ->
            ModelSchema.of(
                SchemaSpec.Tensor.of("a", "float32", -1),
                SchemaSpec.Column.of("b", ColumnType.DOUBLE)));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            ModelSchema.of(
                SchemaSpec.Column.of("a", ColumnType.DOUBLE),
                SchemaSpec.Column.of("a", ColumnType.LONG)));

    // A failed write leaves no half-written model behind.
    Path target = tmp.resolve("cleaned");
    Path missingOnnx = tmp.resolve("no-such.onnx");
    assertThrows(
        RuntimeException.class,
        () -> MlflowModelWriter.builder().onnxModel(missingOnnx).write(target));
    assertFalse(Files.exists(target));
  }
}
