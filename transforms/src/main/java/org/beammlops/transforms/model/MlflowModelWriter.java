package org.beammlops.transforms.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes an MLflow model directory the way {@code mlflow.onnx.save_model} lays it out, so that
 * Python MLflow can load it ({@code mlflow.onnx.load_model}, {@code mlflow.pyfunc.load_model}):
 *
 * <pre>
 * MLmodel            flavors onnx + python_function (loader_module mlflow.onnx), signature, ...
 * model.onnx         the graph
 * conda.yaml, python_env.yaml, requirements.txt
 * feature_spec.json, reference_profile.json, ...   the project's own files, opaque here
 * </pre>
 *
 * <p>The project's files are listed in {@code MLmodel} under {@code metadata.beam_mlops_files}
 * (MLflow keeps {@code metadata} as is).
 */
public final class MlflowModelWriter {
  /** The MLflow version written into {@code MLmodel} and pinned in the requirements. */
  public static final String MLFLOW_VERSION = "2.17.2";

  public static final String DEFAULT_ONNX_VERSION = "1.17.0";
  public static final String DEFAULT_ONNXRUNTIME_VERSION = "1.19.2";
  public static final String DEFAULT_PYTHON_VERSION = "3.10.12";

  /** {@code mlflow.onnx.ONNX_EXECUTION_PROVIDERS}. */
  public static final List<String> DEFAULT_PROVIDERS =
      List.of("CUDAExecutionProvider", "CPUExecutionProvider");

  private static final Set<String> RESERVED =
      Set.of(
          MlflowModel.MLMODEL,
          MlflowModel.MODEL_ONNX,
          MlflowModel.CONDA_YAML,
          MlflowModel.PYTHON_ENV_YAML,
          MlflowModel.REQUIREMENTS_TXT,
          "constraints.txt",
          "input_example.json",
          "serving_input_example.json",
          "registered_model_meta",
          "code");

  private static final DateTimeFormatter UTC_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  private byte[] onnxModel;
  private Path onnxModelFile;
  private ModelSignature signature;
  private final Map<String, byte[]> extraFiles = new LinkedHashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();
  private String onnxVersion = DEFAULT_ONNX_VERSION;
  private List<String> providers = DEFAULT_PROVIDERS;
  private String pythonVersion = DEFAULT_PYTHON_VERSION;
  private List<String> pipRequirements;
  private String runId;
  private String artifactPath;
  private String modelUuid;
  private Clock clock = Clock.systemUTC();

  private MlflowModelWriter() {}

  public static MlflowModelWriter builder() {
    return new MlflowModelWriter();
  }

  /** The serialized ONNX graph. */
  public MlflowModelWriter onnxModel(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length == 0) {
      throw new IllegalArgumentException("the ONNX model is empty");
    }
    this.onnxModel = bytes.clone();
    this.onnxModelFile = null;
    return this;
  }

  /** The ONNX graph, copied from a file. */
  public MlflowModelWriter onnxModel(Path file) {
    Objects.requireNonNull(file, "file");
    this.onnxModelFile = file;
    this.onnxModel = null;
    return this;
  }

  public MlflowModelWriter signature(ModelSignature signature) {
    this.signature = signature;
    return this;
  }

  /** A file beside the model, e.g. {@link MlflowModel#FEATURE_SPEC}; content opaque. */
  public MlflowModelWriter extraFile(String name, byte[] content) {
    checkExtraName(name);
    Objects.requireNonNull(content, "content");
    extraFiles.put(name, content.clone());
    return this;
  }

  /** A JSON file beside the model, pretty-printed. */
  public MlflowModelWriter extraJson(String name, JsonNode json) {
    Objects.requireNonNull(json, "json");
    try {
      byte[] bytes =
          PythonJson.MAPPER
              .writerWithDefaultPrettyPrinter()
              .writeValueAsString(json)
              .getBytes(StandardCharsets.UTF_8);
      return extraFile(name, bytes);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialize " + name, e);
    }
  }

  /** A string entry of {@code MLmodel}'s {@code metadata}. */
  public MlflowModelWriter metadata(String key, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (key.equals(MlflowModel.EXTRA_FILES_KEY)) {
      throw new IllegalArgumentException("metadata key " + key + " is reserved");
    }
    metadata.put(key, value);
    return this;
  }

  /** Default {@value #DEFAULT_ONNX_VERSION}. */
  public MlflowModelWriter onnxVersion(String version) {
    this.onnxVersion = Objects.requireNonNull(version, "version");
    return this;
  }

  /** Default {@link #DEFAULT_PROVIDERS}. */
  public MlflowModelWriter providers(List<String> providers) {
    this.providers = List.copyOf(providers);
    return this;
  }

  /** Default {@value #DEFAULT_PYTHON_VERSION}. */
  public MlflowModelWriter pythonVersion(String version) {
    this.pythonVersion = Objects.requireNonNull(version, "version");
    return this;
  }

  /**
   * The pip requirements; default {@code mlflow==2.17.2}, {@code onnx==<onnx version>}, {@code
   * onnxruntime==1.19.2}.
   */
  public MlflowModelWriter pipRequirements(List<String> requirements) {
    for (String r : requirements) {
      if (r == null || r.isBlank() || r.contains("\n")) {
        throw new IllegalArgumentException("invalid pip requirement: " + r);
      }
    }
    this.pipRequirements = List.copyOf(requirements);
    return this;
  }

  /** Records the run and path the model is logged under (MLflow does so when logging). */
  public MlflowModelWriter loggedAs(String runId, String artifactPath) {
    this.runId = runId;
    this.artifactPath = artifactPath;
    return this;
  }

  /** Default: a random UUID, as hex without dashes. */
  public MlflowModelWriter modelUuid(String uuid) {
    this.modelUuid = uuid;
    return this;
  }

  /** The clock for {@code utc_time_created}; default UTC system clock. */
  public MlflowModelWriter clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * Writes the model into {@code directory}, which must not exist or be empty, and returns what was
   * written. On failure, the files written so far are removed.
   */
  public MlflowModel write(Path directory) {
    if (onnxModel == null && onnxModelFile == null) {
      throw new IllegalStateException("no ONNX model given: call onnxModel(...)");
    }
    Path dir = directory.toAbsolutePath().normalize();
    boolean created = prepare(dir);
    try {
      return writeInto(dir);
    } catch (IOException | RuntimeException e) {
      cleanUp(dir, created);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("Cannot write MLflow model to " + dir, io);
      }
      throw (RuntimeException) e;
    }
  }

  private MlflowModel writeInto(Path dir) throws IOException {
    Path onnxPath = dir.resolve(MlflowModel.MODEL_ONNX);
    if (onnxModel != null) {
      Files.write(onnxPath, onnxModel);
    } else {
      Files.copy(onnxModelFile, onnxPath);
      if (Files.size(onnxPath) == 0) {
        throw new IllegalArgumentException("the ONNX model file is empty: " + onnxModelFile);
      }
    }
    Map<String, java.nio.file.Path> extras = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> e : extraFiles.entrySet()) {
      Path p = dir.resolve(e.getKey());
      Files.write(p, e.getValue());
      extras.put(e.getKey(), p);
    }
    // As save_model: the size of what is in the directory before MLmodel and the env files.
    long size = totalSize(dir);

    String uuid = modelUuid != null ? modelUuid : UUID.randomUUID().toString().replace("-", "");
    String created = LocalDateTime.now(clock.withZone(ZoneOffset.UTC)).format(UTC_TIME);
    OnnxFlavor onnx = new OnnxFlavor(onnxVersion, MlflowModel.MODEL_ONNX, providers, null);
    PythonFunctionFlavor pyfunc =
        new PythonFunctionFlavor(
            "mlflow.onnx",
            pythonVersion,
            MlflowModel.MODEL_ONNX,
            MlflowModel.CONDA_YAML,
            MlflowModel.PYTHON_ENV_YAML,
            null);

    Map<String, Object> root = new TreeMap<>();
    if (artifactPath != null) {
      root.put("artifact_path", artifactPath);
    }
    if (runId != null) {
      root.put("run_id", runId);
    }
    Map<String, Object> flavors = new TreeMap<>();
    flavors.put(OnnxFlavor.NAME, onnxFlavorMap(onnx));
    flavors.put(PythonFunctionFlavor.NAME, pyfuncMap(pyfunc));
    root.put("flavors", flavors);
    root.put("mlflow_version", MLFLOW_VERSION);
    root.put("model_size_bytes", size);
    root.put("model_uuid", uuid);
    root.put("utc_time_created", created);
    if (signature != null) {
      Map<String, Object> sig = new TreeMap<>();
      sig.put("inputs", signature.inputs().toJson());
      sig.put("outputs", signature.outputs() == null ? null : signature.outputs().toJson());
      sig.put("params", null);
      root.put("signature", sig);
    }
    if (!metadata.isEmpty() || !extras.isEmpty()) {
      Map<String, Object> meta = new TreeMap<>(metadata);
      if (!extras.isEmpty()) {
        meta.put(MlflowModel.EXTRA_FILES_KEY, new ArrayList<>(extras.keySet()));
      }
      root.put("metadata", meta);
    }
    MlmodelYaml.SORTED.writeValue(dir.resolve(MlflowModel.MLMODEL).toFile(), root);

    List<String> requirements =
        pipRequirements != null
            ? pipRequirements
            : List.of(
                "mlflow==" + MLFLOW_VERSION,
                "onnx==" + onnxVersion,
                "onnxruntime==" + DEFAULT_ONNXRUNTIME_VERSION);
    writeCondaYaml(dir.resolve(MlflowModel.CONDA_YAML), requirements);
    writePythonEnv(dir.resolve(MlflowModel.PYTHON_ENV_YAML));
    Files.writeString(
        dir.resolve(MlflowModel.REQUIREMENTS_TXT),
        String.join("\n", requirements),
        StandardCharsets.UTF_8);

    return new MlflowModel(
        dir,
        artifactPath,
        runId,
        MLFLOW_VERSION,
        uuid,
        created,
        size,
        signature,
        onnx,
        pyfunc,
        List.of(OnnxFlavor.NAME, PythonFunctionFlavor.NAME),
        metadata,
        extras);
  }

  private static Map<String, Object> onnxFlavorMap(OnnxFlavor onnx) {
    Map<String, Object> m = new TreeMap<>();
    m.put("code", onnx.code());
    m.put("data", onnx.data());
    m.put("onnx_session_options", null);
    m.put("onnx_version", onnx.onnxVersion());
    m.put("providers", onnx.providers());
    return m;
  }

  private static Map<String, Object> pyfuncMap(PythonFunctionFlavor f) {
    Map<String, Object> m = new TreeMap<>();
    if (f.code() != null) {
      m.put("code", f.code());
    }
    m.put("data", f.data());
    Map<String, Object> env = new TreeMap<>();
    env.put("conda", f.condaEnv());
    env.put("virtualenv", f.virtualenv());
    m.put("env", env);
    m.put("loader_module", f.loaderModule());
    m.put("python_version", f.pythonVersion());
    return m;
  }

  private void writeCondaYaml(Path file, List<String> requirements) throws IOException {
    Map<String, Object> conda = new TreeMap<>();
    conda.put("channels", List.of("conda-forge"));
    List<Object> deps = new ArrayList<>();
    deps.add("python=" + pythonVersion);
    deps.add("pip<=24.2");
    deps.add(Map.of("pip", requirements));
    conda.put("dependencies", deps);
    conda.put("name", "mlflow-env");
    MlmodelYaml.SORTED.writeValue(file.toFile(), conda);
  }

  private void writePythonEnv(Path file) throws IOException {
    Map<String, Object> env = new LinkedHashMap<>();
    env.put("python", pythonVersion);
    env.put("build_dependencies", List.of("pip==24.2", "setuptools", "wheel"));
    env.put("dependencies", List.of("-r requirements.txt"));
    MlmodelYaml.UNSORTED.writeValue(file.toFile(), env);
  }

  private static void checkExtraName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()
        || name.contains("/")
        || name.contains("\\")
        || name.equals(".")
        || name.equals("..")
        || name.startsWith(".")
        || name.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(
          "extra file name '" + name + "' must be a plain file name (no path, not hidden)");
    }
    if (RESERVED.contains(name)) {
      throw new IllegalArgumentException(
          "extra file name '" + name + "' is reserved by the MLflow model format");
    }
  }

  private static boolean prepare(Path dir) {
    try {
      if (Files.exists(dir)) {
        if (!Files.isDirectory(dir)) {
          throw new ModelFormatException("Cannot write an MLflow model to " + dir + ": a file");
        }
        try (Stream<Path> s = Files.list(dir)) {
          if (s.findAny().isPresent()) {
            throw new ModelFormatException(
                "Cannot write an MLflow model to " + dir + ": the directory is not empty");
          }
        }
        return false;
      }
      Files.createDirectories(dir);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + dir, e);
    }
  }

  private static long totalSize(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      long total = 0;
      for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
        total += Files.size(p);
      }
      return total;
    }
  }

  private static void cleanUp(Path dir, boolean removeDir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder())
          .filter(p -> removeDir || !p.equals(dir))
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
}
