package org.beammlops.transforms.serving;

import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.beammlops.schemas.Prediction;
import org.beammlops.transforms.lake.Lake;
import org.beammlops.transforms.lake.WriteDatedRecords;

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
  public WriteFilesResult<String> expand(PCollection<Prediction> records) {
    return records.apply(
        WriteDatedRecords.<Prediction>to(
            lake,
            lake.predictionsDir(),
            Prediction.getClassSchema(),
            "scoredAt",
            runId,
            commitIntervalSeconds));
  }
}
