package org.beammlops.transforms.inference;

import java.io.Serializable;

/**
 * Which model version to serve: what the registry poll emits and what a {@link ModelHandler} loads.
 * {@code location} is where the model directory can be read from (a {@code models:/} or {@code
 * runs:/} URI, or a local MLflow model directory).
 *
 * @param name registered model name (or the directory name for a local model)
 * @param version the registered version, or a content tag for a local model
 * @param location what the handler loads
 */
public record ModelRef(String name, String version, String location) implements Serializable {

  /** A short id such as {@code flights-delay15/v3}, used in predictions and metrics. */
  public String id() {
    return name + "/v" + version;
  }
}
