package org.beammlops.transforms.feedback;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the live metrics are computed from: one served prediction of one model version and, once its
 * feedback has arrived, the true target; {@code target} is null for a prediction whose truth did
 * not come within the TTL (it still counts toward the window's predictions and label coverage).
 *
 * @param requestId the request the prediction answers
 * @param modelVersion the registry version that scored it
 * @param eventTime the request's event time (epoch millis), which places it in a window
 * @param value the regression value, or the positive class's probability for a binary task
 * @param predictedClass the class the model chose (index into the task's output classes), -1 for
 *     regression
 * @param probabilities a multi-class model's class probabilities in the task's class order, else
 *     empty
 * @param target the true target ({@code Task.target}: value, 0/1, class index), or null
 */
public record Outcome(
    String requestId,
    String modelVersion,
    long eventTime,
    double value,
    int predictedClass,
    double[] probabilities,
    Double target)
    implements Serializable {

  /** This prediction with its truth. */
  public Outcome withTarget(double truth) {
    return new Outcome(
        requestId, modelVersion, eventTime, value, predictedClass, probabilities, truth);
  }

  /** True once the truth is known. */
  public boolean labelled() {
    return target != null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Outcome other
        && requestId.equals(other.requestId)
        && modelVersion.equals(other.modelVersion)
        && eventTime == other.eventTime
        && Double.compare(value, other.value) == 0
        && predictedClass == other.predictedClass
        && Arrays.equals(probabilities, other.probabilities)
        && Objects.equals(target, other.target);
  }

  @Override
  public int hashCode() {
    return Objects.hash(requestId, modelVersion, eventTime, value, predictedClass, target)
        + 31 * Arrays.hashCode(probabilities);
  }

  @Override
  public String toString() {
    return requestId + "@v" + modelVersion + " " + value + " -> " + target;
  }
}
