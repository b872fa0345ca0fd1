package org.beammlops.pipelines.common;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * How a streaming job that never ends by itself is stopped by its launcher: after a fixed time, or
 * once it has handled its input and gone idle. Shared by the streaming pipelines, and read by the
 * runner presets (a job stopped from the launcher must not block in {@code run()}).
 */
public interface StopOptions extends PipelineOptions {
  @Description(
      "Run for this many seconds, then stop (0 = until cancelled or the read ends); with"
          + " --stopWhenIdleSeconds a deadline.")
  @Default.Long(0)
  long getRunSeconds();

  void setRunSeconds(long value);

  @Description(
      "Stop once input was read and then no counter moved for this many seconds (0 = never):"
          + " for a replay or a demo that knows its input ends. Must exceed"
          + " --commitIntervalSeconds, so that the last lake files are committed first.")
  @Default.Long(0)
  long getStopWhenIdleSeconds();

  void setStopWhenIdleSeconds(long value);

  /** Whether the launcher, not the job's input, ends the job. */
  static boolean stoppedByLauncher(PipelineOptions options) {
    StopOptions stop = options.as(StopOptions.class);
    return stop.getRunSeconds() > 0 || stop.getStopWhenIdleSeconds() > 0;
  }
}
