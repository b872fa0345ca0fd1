package org.beammlops.pipelines.ingest;

import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.transforms.Watch;
import org.apache.beam.sdk.values.PCollection;
import org.beammlops.pipelines.common.Commands;
import org.beammlops.pipelines.common.NothingValid;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.deadletter.PublishDeadLetters;
import org.beammlops.transforms.deadletter.WriteDeadLetters;
import org.beammlops.transforms.dedup.DeduplicateById;
import org.beammlops.transforms.files.MatchInputFiles;
import org.beammlops.transforms.kafka.TopicReads;
import org.beammlops.transforms.lake.CommitWindows;
import org.beammlops.transforms.lake.EventDates;
import org.beammlops.transforms.lake.Lake;
import org.beammlops.transforms.lake.ReadLakeIds;
import org.beammlops.transforms.lake.WritePartitionedParquet;
import org.beammlops.transforms.metrics.CountElements;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.beammlops.transforms.parse.ParseAndValidate;
import org.beammlops.transforms.parse.ParseResult;
import org.joda.time.Duration;

/**
 * Ingest: files (or a Kafka topic) → parse and validate → stable ids → de-duplicate → Parquet lake
 * partitioned by event date; rejects to the lake's dead-letter folder (and {@code <uc>.dlq}).
 *
 * <pre>
 * files ─┬─ ParseAndValidate ─ records ─ Deduplicate(lake ids) ─ WriteLake  (events/date=…/)
 *        │                  └─ dead letters ──────────────────── WriteDeadLetters (deadletter/…)
 * </pre>
 *
 * <p>A batch run skips ids already in the lake, so running it twice leaves the lake unchanged. With
 * {@code --watch} or {@code --fromTopic} it runs unbounded: ids are remembered in keyed state for
 * the use case's de-duplication TTL and files are committed every {@code --commitIntervalSeconds}.
 */
public final class IngestPipeline {
  public static final String NAME = "ingest";
  static final String[] COUNTERS = {
    PipelineCounters.READ,
    PipelineCounters.VALID,
    PipelineCounters.DEAD_LETTER,
    PipelineCounters.DUPLICATES,
    PipelineCounters.WRITTEN
  };

  private IngestPipeline() {}

  public static void main(String[] args) {
    Commands.runPipeline(args, IngestOptions.class, IngestPipeline::run);
  }

  /** Checks the options, runs the pipeline to the end, and returns its counters. */
  public static Map<String, Object> run(IngestOptions options) {
    UseCase useCase = UseCases.loadOrDefault(options.getUseCase());
    Lake lake = Lake.at(options.getLake(), useCase.name());
    if (options.getFromTopic() == null) {
      checkInput(options);
    }
    lake.checkWritable();
    PipelineReports.progress(
        "ingest: "
            + (options.getFromTopic() != null
                ? "topic " + options.getFromTopic()
                : options.getInput())
            + " -> "
            + lake.eventsDir());
    Map<String, Object> counters =
        PipelineReports.runToCompletion(build(options, useCase, lake), COUNTERS);
    String nothingValid =
        options.getFromTopic() == null
            ? NothingValid.describe(
                options.getInput(),
                counters,
                NothingValid.examplesInLake(lake, options.getRunId()),
                lake.deadLetterDir())
            : null;
    if (nothingValid != null) {
      PipelineReports.print(counters);
      throw new IllegalStateException(nothingValid);
    }
    return counters;
  }

  /** The pipeline, for running here or in a test. */
  public static Pipeline build(IngestOptions options, UseCase useCase, Lake lake) {
    Pipeline pipeline = Pipeline.create(options);
    boolean fromTopic = options.getFromTopic() != null;
    boolean unbounded =
        options.getWatch()
            || (fromTopic && options.getMaxRecords() == 0 && options.getMaxReadSeconds() == 0);
    ParseResult parsed =
        fromTopic ? readTopic(pipeline, options, useCase) : readFiles(pipeline, options, useCase);

    PCollection<GenericRecord> unique;
    // a use case that leaves its partitioning open gets it chosen per batch from its dates'
    // spread; a stream commits small panes, partitioned as configured (by day by default)
    WritePartitionedParquet writeLake =
        useCase.partitioningConfigured() || unbounded
            ? WritePartitionedParquet.to(
                lake.eventsDir(),
                lake.tempDir(),
                useCase.lakeSchema(),
                options.getRunId(),
                EventDates.of(useCase))
            : WritePartitionedParquet.choosingPartitioning(
                lake.eventsDir(),
                lake.tempDir(),
                useCase.lakeSchema(),
                options.getRunId(),
                useCase);
    WriteDeadLetters writeDeadLetters = WriteDeadLetters.toLake(lake, options.getRunId());
    if (unbounded) {
      Duration ttl = Duration.millis(useCase.dedupTtl().toMillis());
      unique =
          parsed
              .records()
              .apply("Deduplicate", DeduplicateById.withTtl(useCase, ttl, options.getDedupKeys()))
              .apply("CommitEvery", CommitWindows.every(options.getCommitIntervalSeconds()));
      writeLake = writeLake.withNumShards(1);
      writeDeadLetters = writeDeadLetters.committedEvery(options.getCommitIntervalSeconds());
    } else {
      PCollection<String> lakeIds =
          pipeline.apply("ReadLakeIds", ReadLakeIds.of(lake, useCase.idField().get().name()));
      unique =
          parsed
              .records()
              .apply(
                  "Deduplicate",
                  DeduplicateById.againstLake(useCase, lakeIds, options.getDedupBuckets()));
    }
    unique
        .apply("CountWritten", CountElements.as(PipelineCounters.WRITTEN))
        .apply("WriteLake", writeLake);
    parsed.deadLetters().apply("WriteDeadLetters", writeDeadLetters);
    if (fromTopic) {
      parsed
          .deadLetters()
          .apply(
              "PublishDeadLetters",
              PublishDeadLetters.to(options.getBootstrapServers(), useCase.topics().dlq()));
    }
    return pipeline;
  }

  private static ParseResult readFiles(Pipeline pipeline, IngestOptions options, UseCase useCase) {
    PCollection<MatchResult.Metadata> files;
    if (options.getWatch()) {
      files =
          pipeline.apply(
              "MatchInput",
              FileIO.match()
                  .filepattern(options.getInput())
                  .withEmptyMatchTreatment(EmptyMatchTreatment.ALLOW_IF_WILDCARD)
                  .continuously(
                      Duration.standardSeconds(options.getWatchIntervalSeconds()),
                      Watch.Growth.never()));
    } else {
      files = pipeline.apply("MatchInput", MatchInputFiles.of(options.getInput()));
    }
    return files
        .apply("OpenFiles", FileIO.readMatches())
        .apply("ParseAndValidate", ParseAndValidate.files(useCase, options.getFormat(), NAME));
  }

  private static ParseResult readTopic(Pipeline pipeline, IngestOptions options, UseCase useCase) {
    KafkaIO.Read<byte[], byte[]> read =
        TopicReads.inGroupCommittedAfterOutputs(
            options.getBootstrapServers(),
            options.getFromTopic(),
            useCase.consumerGroup(NAME, null),
            options.getMaxRecords(),
            options.getMaxReadSeconds());

    PCollection<KafkaRecord<byte[], byte[]>> messages = pipeline.apply("ReadTopic", read);
    return messages.apply(
        "ParseAndValidate",
        ParseAndValidate.messages(useCase, options.getFormat().forMessages(), NAME));
  }

  /**
   * A clear error before any work when the input matches no file (unless watching for new ones).
   */
  static void checkInput(IngestOptions options) {
    if (options.getInput() == null || options.getInput().isBlank()) {
      throw new IllegalArgumentException(
          "--input is required (a file, a glob, or use --fromTopic)");
    }
    if (!options.getWatch()) {
      Commands.checkInputMatches(options.getInput());
    }
  }
}
