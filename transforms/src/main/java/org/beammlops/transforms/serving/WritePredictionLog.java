package org.beammlops.transforms.serving;

import java.time.ZoneOffset;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.beammlops.schemas.Prediction;
import org.beammlops.transforms.lake.CommitWindows;
import org.beammlops.transforms.lake.GenericRecords;
import org.beammlops.transforms.lake.Lake;
import org.beammlops.transforms.lake.WritePartitionedParquet;

/**
 * The prediction log of a streaming scorer: every prediction as Parquet under {@code
 * <lake>/<uc>/predictions/date=<day scored>/}, one file per commit ({@link CommitWindows}), which
 * the feedback join, the drift pipeline and {@code score-summary} read. Partitioned by the day
 * scored, so that a commit writes one file whatever the spread of event times in a replay.
 */
public final class WritePredictionLog
    extends PTransform<PCollection<Prediction>, WriteFilesResult<String>> {
  private final Lake lake;
  private final String runId;
  private final int commitIntervalSeconds;

  private WritePredictionLog(Lake lake, String runId, int commitIntervalSeconds) {
    this.lake = lake;
    this.runId = runId;
    this.commitIntervalSeconds = commitIntervalSeconds;
  }

  /** Files named after {@code runId}, committed every {@code commitIntervalSeconds}. */
  public static WritePredictionLog to(Lake lake, String runId, int commitIntervalSeconds) {
    return new WritePredictionLog(lake, runId, commitIntervalSeconds);
  }

  @Override
  public WriteFilesResult<String> expand(PCollection<Prediction> predictions) {
    return predictions
        .apply(
            "AsRows",
            MapElements.into(TypeDescriptor.of(GenericRecord.class)).via(GenericRecords::toGeneric))
        .setCoder(AvroCoder.of(GenericRecord.class, Prediction.getClassSchema()))
        .apply("CommitEvery", CommitWindows.every(commitIntervalSeconds))
        .apply(
            "WriteParquet",
            WritePartitionedParquet.to(
                    lake.predictionsDir(),
                    lake.tempDir(),
                    Prediction.getClassSchema(),
                    runId,
                    r ->
                        java.time.Instant.ofEpochMilli(GenericRecords.millis(r.get("scoredAt")))
                            .atZone(ZoneOffset.UTC)
                            .toLocalDate()
                            .toString())
                .withNumShards(1));
  }
}
