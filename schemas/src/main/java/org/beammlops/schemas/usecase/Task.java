package org.beammlops.schemas.usecase;

import java.io.Serializable;

/** A prediction task of a use case: which label it learns and whether it is a class or a value. */
public final class Task implements Serializable {

  /** Regression predicts the label; classification predicts {@code label > threshold}. */
  public enum Type {
    REGRESSION,
    CLASSIFICATION
  }

  private final String name;
  private final Type type;
  private final String label;
  private final Double threshold;

  public Task(String name, Type type, String label, Double threshold) {
    if (type == Type.CLASSIFICATION && threshold == null) {
      throw new IllegalArgumentException("task '" + name + "': classification needs a threshold");
    }
    this.name = name;
    this.type = type;
    this.label = label;
    this.threshold = threshold;
  }

  public String name() {
    return name;
  }

  public Type type() {
    return type;
  }

  /** The schema field the target is computed from. */
  public String label() {
    return label;
  }

  /**
   * The target of this task for a raw label value: the value itself for regression, 1 or 0 for
   * classification; null when the label is missing.
   */
  public Double target(Number labelValue) {
    if (labelValue == null) {
      return null;
    }
    double value = labelValue.doubleValue();
    return type == Type.REGRESSION ? value : (value > threshold ? 1.0 : 0.0);
  }

  @Override
  public String toString() {
    return name
        + " ("
        + type.name().toLowerCase()
        + " on "
        + label
        + (threshold == null ? "" : " > " + threshold)
        + ")";
  }
}
