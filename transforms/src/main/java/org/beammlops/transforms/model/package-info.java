/**
 * The MLflow model format with an {@code onnx} flavor: {@link
 * org.beammlops.transforms.model.MlflowModelWriter} lays a directory out as Python's {@code
 * mlflow.onnx.save_model} does ({@code MLmodel}, {@code model.onnx}, environment files) plus the
 * project's own files (feature spec, reference profile); {@link
 * org.beammlops.transforms.model.MlflowModelReader} reads one back as a typed {@link
 * org.beammlops.transforms.model.MlflowModel}.
 */
package org.beammlops.transforms.model;
