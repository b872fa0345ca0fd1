package org.beammlops.transforms.deadletter;

import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.transforms.lake.CommitWindows;
import org.beammlops.transforms.lake.GenericRecords;
import org.beammlops.transforms.lake.Lake;
import org.beammlops.transforms.lake.WritePartitionedParquet;

/**
 * Writes dead letters to {@code <lake>/<uc>/deadletter/date=<day they failed>/} as Parquet, so a
 * person can query the rejects with any Parquet tool and replay them once fixed.
 */
public final class WriteDeadLetters
    extends PTransform<PCollection<DeadLetter>, WriteFilesResult<String>> {
  private final Lake lake;
  private final String runId;
  private final int numShards;
  private final int commitSeconds;

  private WriteDeadLetters(Lake lake, String runId, int numShards, int commitSeconds) {
    this.lake = lake;
    this.runId = runId;
    this.numShards = numShards;
    this.commitSeconds = commitSeconds;
  }

  /** Files named after {@code runId} in the lake's dead-letter partitions. */
  public static WriteDeadLetters toLake(Lake lake, String runId) {
    return new WriteDeadLetters(lake, runId, 1, 0);
  }

  /** A fixed number of files per pane, required for unbounded input. */
  public WriteDeadLetters withNumShards(int shards) {
    return new WriteDeadLetters(lake, runId, shards, commitSeconds);
  }

  /** For a stream: one file per commit, a commit every {@code seconds} ({@link CommitWindows}). */
  public WriteDeadLetters committedEvery(int seconds) {
    return new WriteDeadLetters(lake, runId, 1, seconds);
  }

  @Override
  public WriteFilesResult<String> expand(PCollection<DeadLetter> deadLetters) {
    PCollection<DeadLetter> committed =
        commitSeconds > 0
            ? deadLetters.apply("CommitEvery", CommitWindows.<DeadLetter>every(commitSeconds))
            : deadLetters;
    PCollection<GenericRecord> generic =
        committed
            .apply(
                "AsGenericRecords",
                MapElements.into(TypeDescriptor.of(GenericRecord.class))
                    .via(WriteDeadLetters::toGeneric))
            .setCoder(AvroCoder.of(GenericRecord.class, DeadLetter.getClassSchema()));
    WritePartitionedParquet write =
        WritePartitionedParquet.to(
            lake.deadLetterDir(),
            lake.tempDir(),
            DeadLetter.getClassSchema(),
            runId,
            r ->
                Instant.ofEpochMilli(toMillis(r.get("failedAt")))
                    .atZone(ZoneOffset.UTC)
                    .toLocalDate()
                    .toString());
    return generic.apply(
        "WriteDeadLetterParquet", numShards > 0 ? write.withNumShards(numShards) : write);
  }

  static GenericRecord toGeneric(DeadLetter deadLetter) {
    return GenericRecords.toGeneric(deadLetter);
  }

  private static long toMillis(Object value) {
    return GenericRecords.millis(value);
  }
}
