package org.beammlops.transforms.lake;

import java.time.ZoneOffset;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * A stream of Avro records as Parquet under {@code <dir>/date=<day of a timestamp field, UTC>/},
 * one file per commit ({@link CommitWindows}): how a streaming pipeline keeps a log in the lake
 * (the prediction log, the metric windows).
 */
public final class WriteDatedRecords<T extends SpecificRecordBase>
    extends PTransform<PCollection<T>, WriteFilesResult<String>> {
  private final String dir;
  private final String tempDir;
  private final Schema schema;
  private final String dateField;
  private final String runId;
  private final int commitIntervalSeconds;

  private WriteDatedRecords(
      String dir,
      String tempDir,
      Schema schema,
      String dateField,
      String runId,
      int commitIntervalSeconds) {
    this.dir = dir;
    this.tempDir = tempDir;
    this.schema = schema;
    this.dateField = dateField;
    this.runId = runId;
    this.commitIntervalSeconds = commitIntervalSeconds;
  }

  /**
   * Records of {@code schema} into {@code dir}, partitioned by the day of {@code dateField}, files
   * named after {@code runId}, committed every {@code commitIntervalSeconds}.
   */
  public static <T extends SpecificRecordBase> WriteDatedRecords<T> to(
      Lake lake,
      String dir,
      Schema schema,
      String dateField,
      String runId,
      int commitIntervalSeconds) {
    return new WriteDatedRecords<>(
        dir, lake.tempDir(), schema, dateField, runId, commitIntervalSeconds);
  }

  @Override
  public WriteFilesResult<String> expand(PCollection<T> records) {
    String field = dateField;
    return records
        .apply(
            "AsRows",
            MapElements.into(TypeDescriptor.of(GenericRecord.class)).via(GenericRecords::toGeneric))
        .setCoder(AvroCoder.of(GenericRecord.class, schema))
        .apply("CommitEvery", CommitWindows.every(commitIntervalSeconds))
        .apply(
            "WriteParquet",
            WritePartitionedParquet.to(
                    dir,
                    tempDir,
                    schema,
                    runId,
                    r ->
                        java.time.Instant.ofEpochMilli(GenericRecords.millis(r.get(field)))
                            .atZone(ZoneOffset.UTC)
                            .toLocalDate()
                            .toString())
                .withNumShards(1));
  }
}
