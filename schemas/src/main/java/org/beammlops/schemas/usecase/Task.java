package org.beammlops.schemas.usecase;

import java.io.Serializable;
import java.util.List;

/**
 * A prediction task of a use case: which label it learns, what kind of target that label makes, and
 * which features it may use. Built and checked by {@link UseCase}; the config keys are described in
 * {@code docs/usecases.md}.
 */
public final class Task implements Serializable {

  /** What the task predicts. */
  public enum Type {
    /** The label's value. */
    REGRESSION,
    /** Whether the label is positive: above a cut, equal to a class, or not equal to one. */
    CLASSIFICATION,
    /** Which of the declared classes the label is. */
    MULTICLASS
  }

  /** How a binary task tells a positive label from a negative one. */
  public enum Positive {
    /** A number above {@link #positiveAbove()}. */
    ABOVE,
    /** Text equal to {@link #positiveValue()}. */
    EQUALS,
    /** Text other than {@link #positiveValue()}, e.g. a status that is not {@code None}. */
    NOT_EQUALS
  }

  /** The decision threshold of a binary task: tuned on out-of-fold predictions, or fixed. */
  public static final String AUTO_THRESHOLD = "auto";

  private final String name;
  private final Type type;
  private final String label;
  private final Positive positive;
  private final Double positiveAbove;
  private final String positiveValue;
  private final List<String> classes;
  private final List<String> features;
  private final Double fixedThreshold;

  Task(
      String name,
      Type type,
      String label,
      Positive positive,
      Double positiveAbove,
      String positiveValue,
      List<String> classes,
      List<String> features,
      Double fixedThreshold) {
    this.name = name;
    this.type = type;
    this.label = label;
    this.positive = positive;
    this.positiveAbove = positiveAbove;
    this.positiveValue = positiveValue;
    this.classes = List.copyOf(classes);
    this.features = List.copyOf(features);
    this.fixedThreshold = fixedThreshold;
  }

  /** A regression task on {@code label} using {@code features}; for tests and tools. */
  public static Task regression(String name, String label, List<String> features) {
    return new Task(name, Type.REGRESSION, label, null, null, null, List.of(), features, null);
  }

  /** A binary task, positive when the numeric label is above {@code cut}; for tests and tools. */
  public static Task above(String name, String label, double cut, List<String> features) {
    return new Task(
        name, Type.CLASSIFICATION, label, Positive.ABOVE, cut, null, List.of(), features, null);
  }

  /** A multi-class task on the text label's {@code classes}; for tests and tools. */
  public static Task multiClass(
      String name, String label, List<String> classes, List<String> features) {
    return new Task(name, Type.MULTICLASS, label, null, null, null, classes, features, null);
  }

  public String name() {
    return name;
  }

  public Type type() {
    return type;
  }

  /** True for binary classification, the tasks with a positive class and a decision threshold. */
  public boolean isBinary() {
    return type == Type.CLASSIFICATION;
  }

  /** The schema field the target is computed from. */
  public String label() {
    return label;
  }

  /** How a binary task's positive class is defined; null for other tasks. */
  public Positive positive() {
    return positive;
  }

  /** The cut of a {@link Positive#ABOVE} task. */
  public Double positiveAbove() {
    return positiveAbove;
  }

  /** The class named by an {@link Positive#EQUALS} or {@link Positive#NOT_EQUALS} task. */
  public String positiveValue() {
    return positiveValue;
  }

  /**
   * The classes of a multi-class task in the order of its probability outputs; for a binary task on
   * a categorical label, the declared label values (empty when none were declared).
   */
  public List<String> classes() {
    return classes;
  }

  /** The names of the features this task uses (schema fields and derived features), in order. */
  public List<String> features() {
    return features;
  }

  /** The configured decision threshold, or empty for {@code auto} (tuned at training). */
  public java.util.Optional<Double> fixedThreshold() {
    return java.util.Optional.ofNullable(fixedThreshold);
  }

  /**
   * The target of this task for a raw label value: the value itself for regression, 1 or 0 for
   * binary classification, the class index for multi-class; null when the label is missing or, for
   * multi-class, not one of the classes.
   */
  public Double target(Object labelValue) {
    if (labelValue == null) {
      return null;
    }
    switch (type) {
      case REGRESSION:
        return labelValue instanceof Number n ? n.doubleValue() : null;
      case MULTICLASS:
        int index = classes.indexOf(labelValue.toString());
        return index < 0 ? null : (double) index;
      default:
        return isPositive(labelValue) ? 1.0 : 0.0;
    }
  }

  private boolean isPositive(Object labelValue) {
    switch (positive) {
      case ABOVE:
        return labelValue instanceof Number n && n.doubleValue() > positiveAbove;
      case EQUALS:
        return positiveValue.equals(labelValue.toString());
      default:
        return !positiveValue.equals(labelValue.toString());
    }
  }

  /**
   * The class names of a classification task's outputs, in the order of its probabilities: {@code
   * classes()} for multi-class; for binary, the negative then the positive class: {@code 0, 1} on a
   * numeric cut, else named after the class the task is defined by ({@code not X, X} for {@code
   * positive: X}, {@code X, not X} for {@code positiveUnless: X}). Empty for regression.
   */
  public List<String> outputClasses() {
    if (type == Type.MULTICLASS) {
      return classes;
    }
    if (type != Type.CLASSIFICATION) {
      return List.of();
    }
    return switch (positive) {
      case ABOVE -> List.of("0", "1");
      case EQUALS -> List.of("not " + positiveValue, positiveValue);
      case NOT_EQUALS -> List.of(positiveValue, "not " + positiveValue);
    };
  }

  private static String plain(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  @Override
  public String toString() {
    String what =
        switch (type) {
          case REGRESSION -> "regression on " + label;
          case MULTICLASS -> "multi-class on " + label + " " + classes;
          case CLASSIFICATION ->
              "classification: "
                  + switch (positive) {
                    case ABOVE -> label + " > " + plain(positiveAbove);
                    case EQUALS -> label + " = " + positiveValue;
                    case NOT_EQUALS -> label + " != " + positiveValue;
                  };
        };
    return name + " (" + what + ")";
  }
}
