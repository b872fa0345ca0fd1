package org.beammlops.transforms.model;

import java.util.List;
import java.util.Objects;

/**
 * The {@code onnx} flavor of an {@code MLmodel}, as {@code mlflow.onnx.save_model} writes it.
 *
 * @param onnxVersion version of the {@code onnx} package the model is declared for
 * @param data the model file, relative to the model directory ({@code model.onnx})
 * @param providers ONNX Runtime execution providers, in order of preference
 * @param code the code directory, or null
 */
public record OnnxFlavor(String onnxVersion, String data, List<String> providers, String code) {
  public static final String NAME = "onnx";

  public OnnxFlavor {
    Objects.requireNonNull(onnxVersion, "onnxVersion");
    Objects.requireNonNull(data, "data");
    providers = List.copyOf(providers);
  }
}
