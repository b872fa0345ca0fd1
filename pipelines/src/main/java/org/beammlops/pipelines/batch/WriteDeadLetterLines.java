package org.beammlops.pipelines.batch;

import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.transforms.deadletter.DeadLetterJson;

/**
 * Dead letters as JSON lines in {@code <dir>/deadletter-SSSSS-of-NNNNN.jsonl}, beside a batch job's
 * predictions: the same JSON as on the {@code <uc>.dlq} topic, so the rejects of one job can be
 * read, fixed and scored again without a Parquet tool.
 */
final class WriteDeadLetterLines
    extends PTransform<PCollection<DeadLetter>, WriteFilesResult<Void>> {
  static final String PREFIX = "deadletter";
  private final String dir;

  private WriteDeadLetterLines(String dir) {
    this.dir = dir;
  }

  static WriteDeadLetterLines to(String dir) {
    return new WriteDeadLetterLines(dir);
  }

  @Override
  public WriteFilesResult<Void> expand(PCollection<DeadLetter> deadLetters) {
    return deadLetters
        .apply(
            "AsJsonLines",
            MapElements.into(TypeDescriptors.strings())
                .via(d -> new String(DeadLetterJson.encode(d), StandardCharsets.UTF_8)))
        .apply(
            "WriteFiles",
            FileIO.<String>write()
                .via(TextIO.sink())
                .to(dir)
                .withPrefix(PREFIX)
                .withSuffix(".jsonl")
                .withNumShards(1));
  }
}
