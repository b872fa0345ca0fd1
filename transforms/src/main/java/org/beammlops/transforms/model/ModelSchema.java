package org.beammlops.transforms.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An MLflow schema ({@code mlflow.types.Schema}): all columns or all tensors, all named or all
 * unnamed, names unique. Serialized as MLflow's JSON string, e.g. {@code [{"type": "tensor",
 * "tensor-spec": {"dtype": "float32", "shape": [-1, 8]}, "name": "features"}]}.
 */
public record ModelSchema(List<SchemaSpec> specs) {

  public ModelSchema {
    specs = List.copyOf(specs);
    if (specs.isEmpty()) {
      throw new IllegalArgumentException("a schema needs at least one column or tensor");
    }
    boolean tensors = specs.get(0) instanceof SchemaSpec.Tensor;
    boolean named = specs.get(0).name() != null;
    Set<String> names = new HashSet<>();
    for (SchemaSpec s : specs) {
      if ((s instanceof SchemaSpec.Tensor) != tensors) {
        throw new IllegalArgumentException("a schema mixes columns and tensors");
      }
      if ((s.name() != null) != named) {
        throw new IllegalArgumentException("a schema mixes named and unnamed entries");
      }
      if (named && !names.add(s.name())) {
        throw new IllegalArgumentException("duplicate name '" + s.name() + "' in schema");
      }
    }
  }

  public static ModelSchema of(SchemaSpec... specs) {
    return new ModelSchema(List.of(specs));
  }

  public boolean isTensorSpec() {
    return specs.get(0) instanceof SchemaSpec.Tensor;
  }

  /** MLflow's JSON form ({@code Schema.to_json()}). */
  public String toJson() {
    ArrayNode array = PythonJson.MAPPER.createArrayNode();
    for (SchemaSpec s : specs) {
      ObjectNode o = array.addObject();
      if (s instanceof SchemaSpec.Tensor t) {
        o.put("type", "tensor");
        ObjectNode spec = o.putObject("tensor-spec");
        spec.put("dtype", t.dtype());
        ArrayNode shape = spec.putArray("shape");
        t.shape().forEach(shape::add);
        if (t.name() != null) {
          o.put("name", t.name());
        }
      } else {
        SchemaSpec.Column c = (SchemaSpec.Column) s;
        o.put("type", c.type().mlflowName());
        if (c.name() != null) {
          o.put("name", c.name());
        }
        o.put("required", c.required());
      }
    }
    return PythonJson.dumps(array);
  }

  /** Parses MLflow's JSON form; fails with {@link ModelFormatException} on anything else. */
  public static ModelSchema fromJson(String json) {
    JsonNode array;
    try {
      array = PythonJson.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new ModelFormatException("Signature schema is not valid JSON: " + e.getMessage(), e);
    }
    if (array == null || !array.isArray()) {
      throw new ModelFormatException("Signature schema is not a JSON array: " + json);
    }
    List<SchemaSpec> specs = new ArrayList<>();
    for (JsonNode entry : array) {
      if (!entry.isObject() || !entry.path("type").isTextual()) {
        throw new ModelFormatException("Signature entry without a type: " + entry);
      }
      String type = entry.get("type").asText();
      String name = entry.hasNonNull("name") ? entry.get("name").asText() : null;
      if (type.equals("tensor")) {
        JsonNode spec = entry.path("tensor-spec");
        if (!spec.path("dtype").isTextual() || !spec.path("shape").isArray()) {
          throw new ModelFormatException(
              "Tensor signature entry needs tensor-spec.dtype and tensor-spec.shape: " + entry);
        }
        List<Long> shape = new ArrayList<>();
        spec.get("shape").forEach(d -> shape.add(d.asLong()));
        specs.add(new SchemaSpec.Tensor(name, spec.get("dtype").asText(), shape));
      } else {
        boolean required = !entry.has("required") || entry.get("required").asBoolean(true);
        specs.add(new SchemaSpec.Column(name, ColumnType.fromMlflowName(type), required));
      }
    }
    try {
      return new ModelSchema(specs);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException("Invalid signature schema: " + e.getMessage(), e);
    }
  }
}
