package org.beammlops.transforms.model;

import java.util.Objects;
import java.util.Optional;

/**
 * MLflow's model signature: input schema and (optional) output schema. In {@code MLmodel} each is
 * stored as a JSON string; {@code params} is always written as null (no inference parameters).
 */
public record ModelSignature(ModelSchema inputs, ModelSchema outputs) {
  public ModelSignature {
    Objects.requireNonNull(inputs, "inputs");
  }

  public Optional<ModelSchema> outputSchema() {
    return Optional.ofNullable(outputs);
  }
}
