package org.beammlops.transforms.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an MLflow model directory with an {@code onnx} flavor, whether written by {@link
 * MlflowModelWriter} or by Python's {@code mlflow.onnx.save_model}. Fails with a {@link
 * ModelFormatException} that says what is wrong on anything else.
 */
public final class MlflowModelReader {
  private MlflowModelReader() {}

  public static MlflowModel read(Path directory) {
    Path dir = directory.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new ModelFormatException(
          "Not an MLflow model: "
              + dir
              + (Files.exists(dir) ? " is not a directory" : " does not exist"));
    }
    Path mlmodel = dir.resolve(MlflowModel.MLMODEL);
    if (!Files.isRegularFile(mlmodel)) {
      throw new ModelFormatException(
          "Not an MLflow model directory: " + dir + " has no " + MlflowModel.MLMODEL + " file");
    }
    JsonNode root;
    try {
      root = MlmodelYaml.MAPPER.readTree(mlmodel.toFile());
    } catch (IOException e) {
      throw new ModelFormatException(
          "Cannot read " + mlmodel + ": not valid YAML (" + firstLine(e.getMessage()) + ")", e);
    }
    if (root == null || !root.isObject()) {
      throw new ModelFormatException(mlmodel + " is not a YAML mapping");
    }
    JsonNode flavors = root.path("flavors");
    if (!flavors.isObject() || flavors.isEmpty()) {
      throw new ModelFormatException(mlmodel + " declares no flavors");
    }
    List<String> flavorNames = new ArrayList<>();
    flavors.fieldNames().forEachRemaining(flavorNames::add);
    flavorNames.sort(String::compareTo);
    JsonNode onnxNode = flavors.path(OnnxFlavor.NAME);
    if (!onnxNode.isObject()) {
      throw new ModelFormatException(
          "MLflow model at "
              + dir
              + " has no '"
              + OnnxFlavor.NAME
              + "' flavor (it has: "
              + String.join(", ", flavorNames)
              + "); only ONNX models can be served");
    }
    OnnxFlavor onnx = readOnnx(onnxNode, dir);
    PythonFunctionFlavor pyfunc = readPyfunc(flavors.path(PythonFunctionFlavor.NAME));
    ModelSignature signature = readSignature(root.path("signature"), mlmodel);

    Map<String, String> metadata = new LinkedHashMap<>();
    List<String> extraNames = new ArrayList<>();
    JsonNode meta = root.path("metadata");
    boolean listed = false;
    if (meta.isObject()) {
      var fields = meta.fields();
      while (fields.hasNext()) {
        var e = fields.next();
        if (e.getKey().equals(MlflowModel.EXTRA_FILES_KEY)) {
          listed = true;
          e.getValue().forEach(n -> extraNames.add(n.asText()));
        } else if (e.getValue().isValueNode() && !e.getValue().isNull()) {
          metadata.put(e.getKey(), e.getValue().asText());
        }
      }
    }
    if (!listed) {
      for (String known : List.of(MlflowModel.FEATURE_SPEC, MlflowModel.REFERENCE_PROFILE)) {
        if (Files.isRegularFile(dir.resolve(known))) {
          extraNames.add(known);
        }
      }
    }
    Map<String, Path> extras = new LinkedHashMap<>();
    for (String name : extraNames) {
      Path p = inside(dir, name, "extra file");
      if (!Files.isRegularFile(p)) {
        throw new ModelFormatException(
            "MLflow model at " + dir + " lists extra file '" + name + "' but it is missing");
      }
      extras.put(name, p);
    }

    return new MlflowModel(
        dir,
        text(root, "artifact_path"),
        text(root, "run_id"),
        text(root, "mlflow_version"),
        text(root, "model_uuid"),
        text(root, "utc_time_created"),
        root.hasNonNull("model_size_bytes") ? root.get("model_size_bytes").asLong() : null,
        signature,
        onnx,
        pyfunc,
        flavorNames,
        metadata,
        extras);
  }

  private static OnnxFlavor readOnnx(JsonNode node, Path dir) {
    String data = text(node, "data");
    if (data == null || data.isEmpty()) {
      throw new ModelFormatException(
          "The onnx flavor of the MLflow model at " + dir + " has no 'data' (model file)");
    }
    Path file = inside(dir, data, "onnx model file");
    if (!Files.isRegularFile(file)) {
      throw new ModelFormatException(
          "MLflow model at " + dir + " declares ONNX model '" + data + "' but it is missing");
    }
    List<String> providers = new ArrayList<>();
    node.path("providers").forEach(p -> providers.add(p.asText()));
    String version = text(node, "onnx_version");
    return new OnnxFlavor(version == null ? "" : version, data, providers, text(node, "code"));
  }

  private static PythonFunctionFlavor readPyfunc(JsonNode node) {
    if (!node.isObject()) {
      return null;
    }
    JsonNode env = node.path("env");
    String conda;
    String virtualenv = null;
    if (env.isTextual()) {
      conda = env.asText(); // MLflow < 2.0 wrote the conda file directly
    } else {
      conda = text(env, "conda");
      virtualenv = text(env, "virtualenv");
    }
    String loader = text(node, "loader_module");
    return new PythonFunctionFlavor(
        loader == null ? "" : loader,
        text(node, "python_version"),
        text(node, "data"),
        conda,
        virtualenv,
        text(node, "code"));
  }

  private static ModelSignature readSignature(JsonNode node, Path mlmodel) {
    if (node.isMissingNode() || node.isNull()) {
      return null;
    }
    if (!node.isObject() || !node.path("inputs").isTextual()) {
      throw new ModelFormatException(
          "The signature in " + mlmodel + " has no 'inputs' JSON string");
    }
    try {
      ModelSchema inputs = ModelSchema.fromJson(node.get("inputs").asText());
      ModelSchema outputs =
          node.path("outputs").isTextual()
              ? ModelSchema.fromJson(node.get("outputs").asText())
              : null;
      return new ModelSignature(inputs, outputs);
    } catch (ModelFormatException e) {
      throw new ModelFormatException("Invalid signature in " + mlmodel + ": " + e.getMessage(), e);
    }
  }

  private static Path inside(Path dir, String relative, String what) {
    Path p = dir.resolve(relative).normalize();
    if (!p.startsWith(dir) || p.equals(dir)) {
      throw new ModelFormatException(
          "The "
              + what
              + " '"
              + relative
              + "' of the MLflow model at "
              + dir
              + " leaves its directory");
    }
    return p;
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isMissingNode() || v.isNull() ? null : v.asText();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
