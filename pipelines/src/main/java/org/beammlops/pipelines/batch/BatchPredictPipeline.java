package org.beammlops.pipelines.batch;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.beammlops.pipelines.batch.BatchPredictConfig.Source;
import org.beammlops.pipelines.batch.BatchPredictConfig.Target;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.ModelEvent;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.deadletter.PublishDeadLetters;
import org.beammlops.transforms.inference.MlflowOnnxModelHandler;
import org.beammlops.transforms.inference.ModelRef;
import org.beammlops.transforms.inference.RunInference;
import org.beammlops.transforms.kafka.TopicReads;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.beammlops.transforms.parse.Format;
import org.beammlops.transforms.parse.ParseAndValidate;
import org.beammlops.transforms.parse.ParseResult;
import org.beammlops.transforms.serving.PublishPredictions;
import org.beammlops.transforms.serving.ScoreRecords;
import org.beammlops.transforms.serving.ScoringResult;
import org.beammlops.transforms.serving.StartupModel;
import org.beammlops.transforms.tracking.TrackingConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./mlops batch-predict --config job.yaml}: scores files, or a bounded read of a topic, with
 * the same RunInference transform and model handler as the streaming scorer.
 *
 * <pre>
 * source ─ ParseAndValidate ─ RunInference(one pinned version) ─ ToPrediction ─ target (json | csv | parquet files, or a topic)
 *               └─ dead letters ──────── + inference failures ─────────────── &lt;target&gt;/deadletter/*.jsonl (or &lt;uc&gt;.dlq)
 * </pre>
 *
 * Every valid record gets exactly one prediction; records without an id get the parser's stable id,
 * so the same file scored twice gives the same request ids.
 */
public final class BatchPredictPipeline {
  static final String NAME = "batch-predict";
  static final String DEAD_LETTER_DIR = "deadletter";
  static final String[] COUNTERS = {
    PipelineCounters.READ,
    PipelineCounters.VALID,
    PipelineCounters.DEAD_LETTER,
    ScoreRecords.PREDICTIONS
  };
  private static final Logger LOG = LoggerFactory.getLogger(BatchPredictPipeline.class);

  private BatchPredictPipeline() {}

  /** Reads the job file, pins the model, runs to the end and returns the counters. */
  public static Map<String, Object> run(BatchPredictOptions options) {
    BatchPredictConfig job = BatchPredictConfig.load(Path.of(options.getConfig()));
    UseCase useCase = UseCases.load(job.useCase());
    Task task;
    try {
      task = useCase.task(job.task());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(options.getConfig() + ": task: " + e.getMessage(), e);
    }
    String trackingUri = trackingUri(options, job);
    if (!job.source().isKafka()) {
      checkSourceMatches(job.source().path());
    }
    ModelRef model =
        StartupModel.resolveAndCheck(useCase.name(), trackingUri, job.model().uri(), "model.uri");
    if (!job.target().isKafka()) {
      prepareTargetDir(job.target());
    }
    PipelineReports.progress(
        "batch-predict: "
            + describe(job.source())
            + " -> "
            + describe(job.target())
            + " with "
            + model.id()
            + " ("
            + job.model().uri()
            + ")");
    Map<String, Object> report =
        PipelineReports.runToCompletion(
            build(options, job, useCase, task, trackingUri, model), COUNTERS);
    if (!job.target().isKafka()) {
      removeEmptyTempDirs(job.target());
    }
    return report;
  }

  /** The pipeline, for running here or in a test. */
  public static Pipeline build(
      BatchPredictOptions options,
      BatchPredictConfig job,
      UseCase useCase,
      Task task,
      String trackingUri,
      ModelRef model) {
    Pipeline pipeline = Pipeline.create(options);
    ParseResult parsed =
        job.source().isKafka()
            ? readTopic(pipeline, job.source(), options.getBootstrapServers(), useCase)
            : readFiles(pipeline, job.source(), useCase);
    ScoringResult scored =
        parsed
            .records()
            .apply(
                "ScoreRecords",
                ScoreRecords.with(
                    useCase,
                    task,
                    NAME,
                    RunInference.of(
                            MlflowOnnxModelHandler.of(useCase.name(), trackingUri),
                            model,
                            DoubleCoder.of())
                        .withBatchSize(1, job.batchSize())));
    scored.modelEvents().apply("LogModelEvents", ParDo.of(new LogModelEvents()));

    Target target = job.target();
    PCollectionList<DeadLetter> deadLetters =
        PCollectionList.of(parsed.deadLetters()).and(scored.deadLetters());
    if (target.isKafka()) {
      String bootstrap = bootstrap(target.bootstrap(), options.getBootstrapServers());
      deadLetters =
          deadLetters.and(
              scored
                  .predictions()
                  .apply(
                      "PublishPredictions",
                      PublishPredictions.to(bootstrap, target.topic())
                          .setFormat(PublishPredictions.Format.valueOf(target.format()))
                          .from(useCase.name(), NAME)
                          .build()));
      deadLetters
          .apply("AllDeadLetters", Flatten.pCollections())
          .apply(
              "PublishDeadLetters",
              PublishDeadLetters.to(
                  bootstrap,
                  target.deadLetterTopic() != null
                      ? target.deadLetterTopic()
                      : useCase.topics().dlq()));
    } else {
      scored
          .predictions()
          .apply(
              "WritePredictions",
              WritePredictionFiles.to(target.path(), target.format(), target.shards()));
      deadLetters
          .apply("AllDeadLetters", Flatten.pCollections())
          .apply("WriteDeadLetters", WriteDeadLetterLines.to(deadLetterDir(target)));
    }
    return pipeline;
  }

  private static ParseResult readFiles(Pipeline pipeline, Source source, UseCase useCase) {
    return pipeline
        .apply(
            "MatchSource",
            FileIO.match()
                .filepattern(source.path())
                .withEmptyMatchTreatment(EmptyMatchTreatment.ALLOW_IF_WILDCARD))
        .apply("OpenFiles", FileIO.readMatches())
        .apply(
            "ParseAndValidate",
            ParseAndValidate.files(useCase, Format.valueOf(source.format()), NAME));
  }

  /** A bounded read from the earliest offset; no offsets are committed (a batch job is a view). */
  private static ParseResult readTopic(
      Pipeline pipeline, Source source, String defaultBootstrap, UseCase useCase) {
    KafkaIO.Read<byte[], byte[]> read =
        TopicReads.fromEarliest(
            bootstrap(source.bootstrap(), defaultBootstrap),
            source.topic(),
            source.maxRecords(),
            source.maxReadSeconds());
    PCollection<KafkaRecord<byte[], byte[]>> messages = pipeline.apply("ReadSource", read);
    return messages.apply(
        "ParseAndValidate",
        ParseAndValidate.messages(useCase, Format.valueOf(source.format()).forMessages(), NAME));
  }

  /** The model a batch job loads is the one it was pinned to; say so in the log. */
  private static final class LogModelEvents extends DoFn<ModelEvent, Void> {
    @ProcessElement
    public void process(@Element ModelEvent e) {
      LOG.info("model {}/v{}: {}", e.getModelName(), e.getModelVersion(), e.getReason());
    }
  }

  static String trackingUri(BatchPredictOptions options, BatchPredictConfig job) {
    if (job.model().trackingUri() != null) {
      return job.model().trackingUri();
    }
    return options.getTrackingUri() != null
        ? options.getTrackingUri()
        : TrackingConfig.fromEnvironment().trackingUri().toString();
  }

  static String deadLetterDir(Target target) {
    return target.path() + "/" + DEAD_LETTER_DIR;
  }

  private static String bootstrap(String configured, String fallback) {
    return configured != null ? configured : fallback;
  }

  /** A clear error, before any work, when the source matches no file. */
  private static void checkSourceMatches(String pattern) {
    if (match(pattern).isEmpty()) {
      throw new IllegalArgumentException("source.path: no file matches " + pattern);
    }
  }

  /**
   * Refuses to mix this run's files with an earlier run's (a reader counting predictions would
   * count both) unless {@code target.overwrite} says to delete the earlier ones. Only files this
   * command writes are looked at or deleted.
   */
  private static void prepareTargetDir(Target target) {
    List<ResourceId> earlier = new ArrayList<>();
    for (String pattern :
        List.of(
            target.path() + "/" + WritePredictionFiles.PREFIX + "-*",
            deadLetterDir(target) + "/" + WriteDeadLetterLines.PREFIX + "-*")) {
      match(pattern).forEach(m -> earlier.add(m.resourceId()));
    }
    if (earlier.isEmpty()) {
      return;
    }
    if (!target.overwrite()) {
      throw new IllegalArgumentException(
          "target.path: "
              + target.path()
              + " already holds "
              + earlier.size()
              + " file(s) of an earlier run; choose another path or set target.overwrite: true");
    }
    try {
      FileSystems.delete(earlier);
    } catch (IOException e) {
      throw new IllegalStateException("cannot delete the earlier run's files: " + e, e);
    }
  }

  /**
   * Beam's file writes leave their emptied {@code .temp-beam} directory behind on a local disk;
   * removing it leaves the target holding only results. Object stores have no directories.
   */
  private static void removeEmptyTempDirs(Target target) {
    for (String dir : List.of(target.path(), deadLetterDir(target))) {
      if (dir.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
        continue;
      }
      try (Stream<Path> children = Files.list(Path.of(dir))) {
        for (Path child : children.toList()) {
          if (Files.isDirectory(child) && child.getFileName().toString().startsWith(".temp-beam")) {
            Files.deleteIfExists(child);
          }
        }
      } catch (NoSuchFileException | DirectoryNotEmptyException e) {
        // nothing written there, or a temporary file Beam kept: leave it
      } catch (IOException e) {
        LOG.warn("cannot remove Beam's temporary directory under {}: {}", dir, e.toString());
      }
    }
  }

  private static List<MatchResult.Metadata> match(String pattern) {
    try {
      MatchResult result = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
      return result.status() == MatchResult.Status.OK ? result.metadata() : List.of();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot list " + pattern + ": " + e.getMessage(), e);
    }
  }

  private static String describe(Source s) {
    return s.isKafka() ? "topic " + s.topic() : s.path() + " (" + s.format() + ")";
  }

  private static String describe(Target t) {
    return t.isKafka() ? "topic " + t.topic() : t.path() + " (" + t.format() + ")";
  }
}
