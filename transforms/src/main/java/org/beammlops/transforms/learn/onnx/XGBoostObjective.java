package org.beammlops.transforms.learn.onnx;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The XGBoost objectives whose raw margin this package can rebuild in ONNX. Each one knows how
 * XGBoost turns the stored {@code base_score} into the margin every prediction starts from.
 */
public enum XGBoostObjective {
  /** Binary classification: the margin is a log-odds, {@code base_score} a probability. */
  BINARY_LOGISTIC("binary:logistic") {
    @Override
    float baseMargin(float baseScore) {
      if (!(baseScore > 0f && baseScore < 1f)) {
        throw new IllegalArgumentException(
            "binary:logistic needs a base_score in (0, 1), got " + baseScore);
      }
      return (float) -Math.log(1.0 / baseScore - 1.0);
    }
  },
  /**
   * Multi-class, one margin per class whose softmax is the probabilities; {@code base_score} is
   * added to every margin as it is (XGBoost's softmax has no inverse link for it).
   */
  MULTI_SOFTPROB("multi:softprob") {
    @Override
    float baseMargin(float baseScore) {
      return baseScore;
    }
  },
  /** Regression with squared error: the margin is the prediction, {@code base_score} included. */
  SQUARED_ERROR("reg:squarederror") {
    @Override
    float baseMargin(float baseScore) {
      return baseScore;
    }
  };

  private final String xgboostName;

  XGBoostObjective(String xgboostName) {
    this.xgboostName = xgboostName;
  }

  /** The objective's name as XGBoost writes it ({@code learner.objective.name}). */
  public String xgboostName() {
    return xgboostName;
  }

  /** Where the sum of tree leaves starts, in margin space. */
  abstract float baseMargin(float baseScore);

  /**
   * The objective XGBoost calls {@code name}.
   *
   * @throws IllegalArgumentException naming the objective when it is not supported
   */
  public static XGBoostObjective named(String name) {
    for (XGBoostObjective objective : values()) {
      if (objective.xgboostName.equals(name)) {
        return objective;
      }
    }
    throw new IllegalArgumentException(
        "unsupported XGBoost objective '"
            + name
            + "'; supported: "
            + Arrays.stream(values())
                .map(XGBoostObjective::xgboostName)
                .collect(Collectors.joining(", ")));
  }
}
