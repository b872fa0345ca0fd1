package org.beammlops.transforms.metrics;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * The counters every pipeline reports, in one Beam metrics namespace, so that a command can print
 * them as its last line and tests can check that {@code valid + deadLetter = read}.
 */
public final class PipelineCounters {
  public static final String NAMESPACE = "mlops";
  public static final String READ = "read";
  public static final String VALID = "valid";
  public static final String DEAD_LETTER = "deadLetter";
  public static final String DUPLICATES = "duplicates";
  public static final String WRITTEN = "written";

  /** Elements a window dropped for arriving after its allowed lateness (the runner counts them). */
  public static final String DROPPED_LATE = "droppedLate";

  private PipelineCounters() {}

  public static Counter counter(String name) {
    return Metrics.counter(NAMESPACE, name);
  }

  /** The per-reason dead-letter counter, e.g. {@code deadLetter.MALFORMED_NUMBER}. */
  public static Counter deadLetterCounter(String errorType) {
    return Metrics.counter(NAMESPACE, DEAD_LETTER + "." + errorType);
  }
}
