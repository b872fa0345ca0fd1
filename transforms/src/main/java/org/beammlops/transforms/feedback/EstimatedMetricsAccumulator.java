package org.beammlops.transforms.feedback;

import org.beammlops.schemas.usecase.Task;
import org.beammlops.transforms.evaluate.ExpectedPerformance;
import org.beammlops.transforms.evaluate.MetricValues;

/**
 * One window's performance expected from its predictions alone (confidence-based performance
 * estimation): a binary task's expected accuracy, precision, recall, F1 and ROC AUC ({@link
 * ExpectedPerformance}); a multi-class task's expected accuracy, the mean probability of the
 * predicted class. Labels are ignored: the estimate is what the window says before they arrive.
 */
public final class EstimatedMetricsAccumulator
    implements WindowAccumulator<EstimatedMetricsAccumulator> {
  private static final long serialVersionUID = 1L;

  private long predictions;
  private final ExpectedPerformance binary;
  private double predictedClassProbabilities;

  public EstimatedMetricsAccumulator(Task task) {
    if (task.type() == Task.Type.REGRESSION) {
      throw new IllegalArgumentException(
          "task '" + task.name() + "' is a regression: its performance cannot be estimated");
    }
    binary = task.type() == Task.Type.CLASSIFICATION ? new ExpectedPerformance() : null;
  }

  @Override
  public EstimatedMetricsAccumulator add(Outcome o) {
    predictions++;
    if (binary != null) {
      binary.add(Math.min(1, Math.max(0, o.value())), o.predictedClass() == 1);
    } else {
      predictedClassProbabilities += o.probabilities()[o.predictedClass()];
    }
    return this;
  }

  @Override
  public EstimatedMetricsAccumulator merge(EstimatedMetricsAccumulator other) {
    predictions += other.predictions;
    predictedClassProbabilities += other.predictedClassProbabilities;
    if (binary != null) {
      binary.merge(other.binary);
    }
    return this;
  }

  @Override
  public long predictions() {
    return predictions;
  }

  /**
   * {@code count} and the {@code estimated_*} metrics, {@code estimated_predictions} (the count
   * again, under the name alert rules and the monitor's series read) among them.
   */
  @Override
  public MetricValues result() {
    MetricValues m = new MetricValues();
    m.put("estimated_predictions", predictions);
    if (binary != null) {
      return binary.result().putAll(m);
    }
    m.put("count", predictions);
    m.put(
        "estimated_accuracy",
        predictions == 0 ? Double.NaN : predictedClassProbabilities / predictions,
        "no prediction in the window");
    return m;
  }
}
