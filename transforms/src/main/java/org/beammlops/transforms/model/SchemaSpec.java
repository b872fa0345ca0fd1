package org.beammlops.transforms.model;

import java.util.List;
import java.util.Objects;

/** One entry of an MLflow schema: a column ({@link Column}) or a tensor ({@link Tensor}). */
public sealed interface SchemaSpec permits SchemaSpec.Column, SchemaSpec.Tensor {

  /** The entry's name, or null when the schema is unnamed. */
  String name();

  /** MLflow's {@code ColSpec}: a named (or unnamed) column of a primitive type. */
  record Column(String name, ColumnType type, boolean required) implements SchemaSpec {
    public Column {
      Objects.requireNonNull(type, "type");
      if (name != null && name.isEmpty()) {
        throw new IllegalArgumentException("a column name must not be empty (use null)");
      }
    }

    /** A required named column. */
    public static Column of(String name, ColumnType type) {
      return new Column(name, type, true);
    }
  }

  /**
   * MLflow's {@code TensorSpec}: numpy dtype name (e.g. {@code float32}) and shape ({@code -1} for
   * a variable dimension).
   */
  record Tensor(String name, String dtype, List<Long> shape) implements SchemaSpec {
    public Tensor {
      Objects.requireNonNull(dtype, "dtype");
      if (dtype.isEmpty()) {
        throw new IllegalArgumentException("a tensor dtype must not be empty");
      }
      if (name != null && name.isEmpty()) {
        throw new IllegalArgumentException("a tensor name must not be empty (use null)");
      }
      shape = List.copyOf(shape);
      for (Long d : shape) {
        if (d < -1) {
          throw new IllegalArgumentException("tensor dimension " + d + " is below -1");
        }
      }
    }

    public static Tensor of(String name, String dtype, long... shape) {
      List<Long> dims = new java.util.ArrayList<>();
      for (long d : shape) {
        dims.add(d);
      }
      return new Tensor(name, dtype, dims);
    }
  }
}
