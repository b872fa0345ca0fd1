package org.beammlops.transforms.model;

import java.util.Locale;

/** MLflow's column data types ({@code mlflow.types.DataType}) for column-based signatures. */
public enum ColumnType {
  BOOLEAN,
  INTEGER,
  LONG,
  FLOAT,
  DOUBLE,
  STRING,
  BINARY,
  DATETIME;

  /** The name MLflow writes, e.g. {@code double}. */
  public String mlflowName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ColumnType fromMlflowName(String name) {
    for (ColumnType t : values()) {
      if (t.mlflowName().equals(name)) {
        return t;
      }
    }
    throw new ModelFormatException(
        "Unsupported MLflow column type '"
            + name
            + "' (supported: boolean, integer, long, float, double, string, binary, datetime)");
  }
}
