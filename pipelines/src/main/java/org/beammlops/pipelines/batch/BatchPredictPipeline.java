package org.beammlops.pipelines.batch;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.beammlops.pipelines.batch.BatchPredictConfig.Source;
import org.beammlops.pipelines.batch.BatchPredictConfig.Target;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.ModelEvent;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.deadletter.PublishDeadLetters;
import org.beammlops.transforms.files.MatchInputFiles;
import org.beammlops.transforms.inference.MlflowOnnxModelHandler;
import org.beammlops.transforms.inference.ModelOutput;
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
import org.beammlops.transforms.tracking.TrackingSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The graph of {@code ./mlops batch-predict --config=job.yaml} ({@link BatchPredictCommand} runs
 * it): scores files, or a bounded read of a topic, with the same {@link ScoreRecords} as the
 * streaming scorer.
 *
 * <pre>
 * source ─ ParseAndValidate ─ ScoreRecords(one pinned version) ─ target (json | csv | parquet files, or PublishPredictions)
 *               └─ dead letters ─ + inference failures (+ unpublished) ─ &lt;target&gt;/deadletter/*.jsonl (or &lt;uc&gt;.dlq)
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

  /** The pipeline, for running here or in a test. */
  public static Pipeline build(
      BatchPredictOptions options,
      BatchPredictConfig job,
      UseCase useCase,
      Task task,
      TrackingSettings tracking,
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
                            MlflowOnnxModelHandler.of(useCase.name(), tracking),
                            model,
                            ModelOutput.coder())
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
        .apply("MatchSource", MatchInputFiles.of(source.path()))
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

  static String deadLetterDir(Target target) {
    return target.path() + "/" + DEAD_LETTER_DIR;
  }

  static String bootstrap(String configured, String fallback) {
    return configured != null ? configured : fallback;
  }
}
