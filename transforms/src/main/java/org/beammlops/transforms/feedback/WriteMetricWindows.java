package org.beammlops.transforms.feedback;

import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.beammlops.schemas.MetricWindow;
import org.beammlops.transforms.lake.Lake;
import org.beammlops.transforms.lake.WriteDatedRecords;

/**
 * Every emitted {@link MetricWindow} pane as Parquet under {@code <lake>/<uc>/metrics/date=<day the
 * window ends>/}, one file per commit: the history of the live metrics, and what a restarted job
 * reads to learn which windows it already emitted ON_TIME.
 */
public final class WriteMetricWindows
    extends PTransform<PCollection<MetricWindow>, WriteFilesResult<String>> {
  private final Lake lake;
  private final String runId;
  private final int commitIntervalSeconds;

  private WriteMetricWindows(Lake lake, String runId, int commitIntervalSeconds) {
    this.lake = lake;
    this.runId = runId;
    this.commitIntervalSeconds = commitIntervalSeconds;
  }

  /** Files named after {@code runId}, committed every {@code commitIntervalSeconds}. */
  public static WriteMetricWindows to(Lake lake, String runId, int commitIntervalSeconds) {
    return new WriteMetricWindows(lake, runId, commitIntervalSeconds);
  }

  @Override
  public WriteFilesResult<String> expand(PCollection<MetricWindow> records) {
    return records.apply(
        WriteDatedRecords.<MetricWindow>to(
            lake,
            lake.metricsDir(),
            MetricWindow.getClassSchema(),
            "windowEnd",
            runId,
            commitIntervalSeconds));
  }
}
