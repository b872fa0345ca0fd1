package org.beammlops.transforms.feedback;

import java.time.ZoneOffset;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.beammlops.schemas.MetricWindow;
import org.beammlops.transforms.lake.CommitWindows;
import org.beammlops.transforms.lake.GenericRecords;
import org.beammlops.transforms.lake.Lake;
import org.beammlops.transforms.lake.WritePartitionedParquet;

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
  public WriteFilesResult<String> expand(PCollection<MetricWindow> windows) {
    return windows
        .apply(
            "AsRows",
            MapElements.into(TypeDescriptor.of(GenericRecord.class)).via(GenericRecords::toGeneric))
        .setCoder(AvroCoder.of(GenericRecord.class, MetricWindow.getClassSchema()))
        .apply("CommitEvery", CommitWindows.every(commitIntervalSeconds))
        .apply(
            "WriteParquet",
            WritePartitionedParquet.to(
                    lake.metricsDir(),
                    lake.tempDir(),
                    MetricWindow.getClassSchema(),
                    runId,
                    r ->
                        java.time.Instant.ofEpochMilli(GenericRecords.millis(r.get("windowEnd")))
                            .atZone(ZoneOffset.UTC)
                            .toLocalDate()
                            .toString())
                .withNumShards(1));
  }
}
