package org.beammlops.transforms.lake;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.options.ValueProvider.StaticValueProvider;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.beammlops.schemas.usecase.UseCase;

/**
 * Writes records as Snappy Parquet files under {@code <dir>/date=<partition>/}, the partition (a
 * day, a month or {@code all}) given by {@code dateOf} or chosen from the data's spread. File names
 * carry the run id, so a later run adds files beside the old ones instead of replacing them.
 * Unbounded input needs windows or triggers and a fixed shard count ({@link #withNumShards}).
 */
public final class WritePartitionedParquet
    extends PTransform<PCollection<GenericRecord>, WriteFilesResult<String>> {
  private final String dir;
  private final String tempDir;
  private final String schemaJson;
  private final String runId;
  private final SerializableFunction<GenericRecord, String> dateOf;
  private final int numShards;
  private final UseCase chooseFor;

  private WritePartitionedParquet(
      String dir,
      String tempDir,
      Schema schema,
      String runId,
      SerializableFunction<GenericRecord, String> dateOf,
      int numShards,
      UseCase chooseFor) {
    this.dir = dir;
    this.tempDir = tempDir;
    this.schemaJson = schema.toString();
    this.runId = runId;
    this.dateOf = dateOf;
    this.numShards = numShards;
    this.chooseFor = chooseFor;
  }

  public static WritePartitionedParquet to(
      String dir,
      String tempDir,
      Schema schema,
      String runId,
      SerializableFunction<GenericRecord, String> dateOf) {
    return new WritePartitionedParquet(dir, tempDir, schema, runId, dateOf, 1, null);
  }

  /**
   * Partitions by the granularity {@link ChoosePartitioning} picks from the spread of the input's
   * dates (bounded input; the use case's config leaves its partitioning open).
   */
  public static WritePartitionedParquet choosingPartitioning(
      String dir, String tempDir, Schema schema, String runId, UseCase useCase) {
    return new WritePartitionedParquet(dir, tempDir, schema, runId, null, 1, useCase);
  }

  /** A fixed number of files per partition and pane, required for unbounded input. */
  public WritePartitionedParquet withNumShards(int shards) {
    return new WritePartitionedParquet(
        dir, tempDir, new Schema.Parser().parse(schemaJson), runId, dateOf, shards, chooseFor);
  }

  @Override
  public WriteFilesResult<String> expand(PCollection<GenericRecord> input) {
    Schema schema = new Schema.Parser().parse(schemaJson);
    String baseDir = dir;
    String prefix = "part-" + runId;
    PCollection<KV<String, GenericRecord>> byPartition;
    if (chooseFor != null) {
      PCollectionView<UseCase.Partitioning> chosen =
          input.apply("ChoosePartitioning", ChoosePartitioning.of(chooseFor));
      UseCase useCase = chooseFor;
      byPartition =
          input.apply(
              "Partition",
              ParDo.of(
                      new DoFn<GenericRecord, KV<String, GenericRecord>>() {
                        @ProcessElement
                        public void process(ProcessContext c) {
                          EventDates dates = EventDates.of(useCase, c.sideInput(chosen));
                          c.output(KV.of(dates.apply(c.element()), c.element()));
                        }
                      })
                  .withSideInputs(chosen));
    } else {
      SerializableFunction<GenericRecord, String> partitionOf = dateOf;
      byPartition =
          input.apply(
              "Partition",
              MapElements.into(
                      TypeDescriptors.kvs(
                          TypeDescriptors.strings(), TypeDescriptor.of(GenericRecord.class)))
                  .via(r -> KV.of(partitionOf.apply(r), r)));
    }
    byPartition.setCoder(
        KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(GenericRecord.class, schema)));
    FileIO.Write<String, KV<String, GenericRecord>> write =
        FileIO.<String, KV<String, GenericRecord>>writeDynamic()
            .by(KV::getKey)
            .withDestinationCoder(StringUtf8Coder.of())
            .via(
                Contextful.fn(KV::getValue),
                ParquetIO.sink(schema).withCompressionCodec(CompressionCodecName.SNAPPY))
            .withTempDirectory(tempDir)
            .withNaming(
                date ->
                    FileIO.Write.relativeFileNaming(
                        StaticValueProvider.of(Lake.partition(baseDir, date)),
                        FileIO.Write.defaultNaming(prefix, ".parquet")));
    if (numShards > 0) {
      write = write.withNumShards(numShards);
    }
    return byPartition.apply("WriteParquet", write);
  }
}
