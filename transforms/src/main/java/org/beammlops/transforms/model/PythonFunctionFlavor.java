package org.beammlops.transforms.model;

import java.util.Objects;

/**
 * The {@code python_function} flavor: how Python MLflow loads the model as a pyfunc ({@code
 * loader_module: mlflow.onnx}).
 *
 * @param condaEnv the conda environment file, or null
 * @param virtualenv the python_env file, or null
 * @param code the code directory, or null
 */
public record PythonFunctionFlavor(
    String loaderModule,
    String pythonVersion,
    String data,
    String condaEnv,
    String virtualenv,
    String code) {
  public static final String NAME = "python_function";

  public PythonFunctionFlavor {
    Objects.requireNonNull(loaderModule, "loaderModule");
  }
}
