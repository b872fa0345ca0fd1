package org.beammlops.transforms.feedback;

import java.io.Serializable;
import org.beammlops.transforms.evaluate.MetricValues;

/**
 * What a window of {@link WindowedMetrics} accumulates its outcomes in: the realized metrics
 * ({@link LiveMetricsAccumulator}) or the expected ones ({@link EstimatedMetricsAccumulator}).
 * Bounded in size and mergeable, so a runner can combine it in parts.
 */
public interface WindowAccumulator<A extends WindowAccumulator<A>> extends Serializable {
  A add(Outcome o);

  /** Adds {@code other}'s outcomes into this one and returns it. */
  A merge(A other);

  /** Predictions added, with or without their truth. */
  long predictions();

  MetricValues result();
}
