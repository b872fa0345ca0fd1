package org.beammlops.transforms.lake;

import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.joda.time.Duration;

/**
 * How a streaming pipeline commits lake files: a global window that fires a pane some seconds after
 * its first element, so each pane becomes one set of files and a quiet stream writes none.
 */
public final class CommitWindows {
  private CommitWindows() {}

  /** Panes of what arrived within {@code seconds} of the pane's first element. */
  public static <T> Window<T> every(int seconds) {
    return Window.<T>into(new GlobalWindows())
        .triggering(
            Repeatedly.forever(
                AfterProcessingTime.pastFirstElementInPane()
                    .plusDelayOf(Duration.standardSeconds(seconds))))
        .withAllowedLateness(Duration.ZERO)
        .discardingFiredPanes();
  }
}
