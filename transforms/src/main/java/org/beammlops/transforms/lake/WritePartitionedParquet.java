package org.beammlops.transforms.lake;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.options.ValueProvider.StaticValueProvider;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Writes records as Snappy Parquet files under {@code <dir>/date=YYYY-MM-DD/}, one partition per
 * day given by {@code dateOf}. File names carry the run id, so a later run adds files beside the
 * old ones instead of replacing them. Unbounded input needs windows or triggers and a fixed shard
 * count ({@link #withNumShards}).
 */
public final class WritePartitionedParquet
    extends PTransform<PCollection<GenericRecord>, WriteFilesResult<String>> {
  private final String dir;
  private final String tempDir;
  private final String schemaJson;
  private final String runId;
  private final SerializableFunction<GenericRecord, String> dateOf;
  private final int numShards;

  private WritePartitionedParquet(
      String dir,
      String tempDir,
      Schema schema,
      String runId,
      SerializableFunction<GenericRecord, String> dateOf,
      int numShards) {
    this.dir = dir;
    this.tempDir = tempDir;
    this.schemaJson = schema.toString();
    this.runId = runId;
    this.dateOf = dateOf;
    this.numShards = numShards;
  }

  public static WritePartitionedParquet to(
      String dir,
      String tempDir,
      Schema schema,
      String runId,
      SerializableFunction<GenericRecord, String> dateOf) {
    return new WritePartitionedParquet(dir, tempDir, schema, runId, dateOf, 1);
  }

  /** A fixed number of files per partition and pane, required for unbounded input. */
  public WritePartitionedParquet withNumShards(int shards) {
    return new WritePartitionedParquet(
        dir, tempDir, new Schema.Parser().parse(schemaJson), runId, dateOf, shards);
  }

  @Override
  public WriteFilesResult<String> expand(PCollection<GenericRecord> input) {
    Schema schema = new Schema.Parser().parse(schemaJson);
    String baseDir = dir;
    String prefix = "part-" + runId;
    FileIO.Write<String, GenericRecord> write =
        FileIO.<String, GenericRecord>writeDynamic()
            .by(dateOf)
            .withDestinationCoder(StringUtf8Coder.of())
            .via(ParquetIO.sink(schema).withCompressionCodec(CompressionCodecName.SNAPPY))
            .withTempDirectory(tempDir)
            .withNaming(
                date ->
                    FileIO.Write.relativeFileNaming(
                        StaticValueProvider.of(Lake.partition(baseDir, date)),
                        FileIO.Write.defaultNaming(prefix, ".parquet")));
    if (numShards > 0) {
      write = write.withNumShards(numShards);
    }
    return input.apply("WriteParquet", write);
  }
}
