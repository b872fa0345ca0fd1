package org.beammlops.transforms.feedback;

import org.beammlops.schemas.usecase.Task;
import org.beammlops.transforms.evaluate.BinaryWindowAccumulator;
import org.beammlops.transforms.evaluate.MetricValues;
import org.beammlops.transforms.evaluate.MultiClassWindowAccumulator;
import org.beammlops.transforms.evaluate.RegressionWindowAccumulator;

/**
 * One window's running metrics: how many predictions it has and how many of them have their truth
 * (label coverage), and the task kind's accumulator over the labelled ones. Bounded in size at any
 * window size, and mergeable, so a runner can combine it in parts.
 */
public final class LiveMetricsAccumulator implements WindowAccumulator<LiveMetricsAccumulator> {
  private static final long serialVersionUID = 1L;

  private long predictions;
  private long labelled;
  private final BinaryWindowAccumulator binary;
  private final MultiClassWindowAccumulator multiClass;
  private final RegressionWindowAccumulator regression;

  public LiveMetricsAccumulator(Task task) {
    binary = task.type() == Task.Type.CLASSIFICATION ? new BinaryWindowAccumulator() : null;
    multiClass =
        task.type() == Task.Type.MULTICLASS
            ? new MultiClassWindowAccumulator(task.outputClasses())
            : null;
    regression = task.type() == Task.Type.REGRESSION ? new RegressionWindowAccumulator() : null;
  }

  @Override
  public LiveMetricsAccumulator add(Outcome o) {
    predictions++;
    if (!o.labelled()) {
      return this;
    }
    labelled++;
    double target = o.target();
    if (binary != null) {
      binary.add(o.value(), o.predictedClass() == 1, target == 1.0);
    } else if (multiClass != null) {
      multiClass.add(o.probabilities(), o.predictedClass(), (int) target);
    } else {
      regression.add(o.value(), target);
    }
    return this;
  }

  @Override
  public LiveMetricsAccumulator merge(LiveMetricsAccumulator other) {
    predictions += other.predictions;
    labelled += other.labelled;
    if (binary != null) {
      binary.merge(other.binary);
    } else if (multiClass != null) {
      multiClass.merge(other.multiClass);
    } else {
      regression.merge(other.regression);
    }
    return this;
  }

  @Override
  public long predictions() {
    return predictions;
  }

  /** {@code count, labelled, label_coverage}, then the task kind's metrics. */
  @Override
  public MetricValues result() {
    MetricValues m = new MetricValues();
    m.put("count", predictions);
    m.put("labelled", labelled);
    m.put(
        "label_coverage",
        predictions == 0 ? Double.NaN : (double) labelled / predictions,
        "no prediction in the window");
    m.putAll(
        binary != null
            ? binary.result()
            : multiClass != null ? multiClass.result() : regression.result());
    return m;
  }
}
