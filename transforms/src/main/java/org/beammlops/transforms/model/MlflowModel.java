package org.beammlops.transforms.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An MLflow model directory with an {@code onnx} flavor, as written by {@link MlflowModelWriter}
 * (or by Python's {@code mlflow.onnx.save_model}) and read by {@link MlflowModelReader}.
 *
 * @param directory the model directory (absolute, normalized)
 * @param artifactPath the run-relative path it was logged under, or null
 * @param runId the run it was logged from, or null
 * @param modelSizeBytes as MLflow computes it (model and extra files), or null
 * @param signature the signature, or null
 * @param pythonFunction the pyfunc flavor, or null
 * @param flavorNames every flavor in {@code MLmodel}, sorted
 * @param metadata the string entries of {@code metadata} (the project's own keys excluded)
 * @param extraFiles the project's files beside the model (e.g. {@value #FEATURE_SPEC}), by name
 */
public record MlflowModel(
    Path directory,
    String artifactPath,
    String runId,
    String mlflowVersion,
    String modelUuid,
    String utcTimeCreated,
    Long modelSizeBytes,
    ModelSignature signature,
    OnnxFlavor onnx,
    PythonFunctionFlavor pythonFunction,
    List<String> flavorNames,
    Map<String, String> metadata,
    Map<String, Path> extraFiles) {

  public static final String MLMODEL = "MLmodel";
  public static final String MODEL_ONNX = "model.onnx";
  public static final String CONDA_YAML = "conda.yaml";
  public static final String PYTHON_ENV_YAML = "python_env.yaml";
  public static final String REQUIREMENTS_TXT = "requirements.txt";

  /** The feature spec the training pipeline writes beside the model. */
  public static final String FEATURE_SPEC = "feature_spec.json";

  /**
   * What the model trained on: source, date range, split and a filter of its training rows ({@code
   * SeenRows}), so that a later gate never scores it on them.
   */
  public static final String TRAINING_DATA = "training_data.json";

  /** The training data's reference profile, for drift detection. */
  public static final String REFERENCE_PROFILE = "reference_profile.json";

  /**
   * The {@code metadata} key of a binary model's decision threshold: a row is of the positive class
   * when its probability is above it. Chosen at training, served with the model.
   */
  public static final String DECISION_THRESHOLD = "decision_threshold";

  /** The decision threshold of a binary model; 0.5 for a model written without one. */
  public double decisionThreshold() {
    String value = metadata.get(DECISION_THRESHOLD);
    return value == null ? 0.5 : Double.parseDouble(value);
  }

  /** The {@code metadata} keys naming the use case and task a model was trained for. */
  public static final String USE_CASE = "use_case";

  public static final String TASK = "task";

  /** The {@code metadata} key of the task's type: regression, classification or multiclass. */
  public static final String TASK_TYPE = "task_type";

  /** The task type the model says it serves, if it says. */
  public java.util.Optional<String> taskType() {
    return java.util.Optional.ofNullable(metadata.get(TASK_TYPE));
  }

  /** The use case the model was trained for, if it says. */
  public java.util.Optional<String> useCase() {
    return java.util.Optional.ofNullable(metadata.get(USE_CASE));
  }

  /** The task the model was trained for, if it says. */
  public java.util.Optional<String> task() {
    return java.util.Optional.ofNullable(metadata.get(TASK));
  }

  /** The {@code metadata} key listing the project's extra files. */
  static final String EXTRA_FILES_KEY = "beam_mlops_files";

  public MlflowModel {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(onnx, "onnx");
    flavorNames = List.copyOf(flavorNames);
    metadata = Map.copyOf(metadata);
    extraFiles = Map.copyOf(extraFiles);
  }

  /** The ONNX graph file. */
  public Path modelOnnx() {
    return directory.resolve(onnx.data());
  }

  public Optional<ModelSignature> signatureIfAny() {
    return Optional.ofNullable(signature);
  }

  public Optional<Path> extraFile(String name) {
    return Optional.ofNullable(extraFiles.get(name));
  }

  public Optional<Path> featureSpec() {
    return extraFile(FEATURE_SPEC);
  }

  public Optional<Path> referenceProfile() {
    return extraFile(REFERENCE_PROFILE);
  }

  /** The {@code MLmodel} file. */
  public Path mlmodelFile() {
    return directory.resolve(MLMODEL);
  }
}
