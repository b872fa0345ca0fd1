package org.beammlops.pipelines.score;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.kafka.common.TopicPartition;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.pipelines.common.TopicReads;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.Prediction;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.deadletter.DeadLetters;
import org.beammlops.transforms.deadletter.PublishDeadLetters;
import org.beammlops.transforms.deadletter.WriteDeadLetters;
import org.beammlops.transforms.dedup.DeduplicateById;
import org.beammlops.transforms.inference.MlflowOnnxModelHandler;
import org.beammlops.transforms.inference.ModelRef;
import org.beammlops.transforms.inference.RunInference;
import org.beammlops.transforms.inference.WatchModelRegistry;
import org.beammlops.transforms.lake.CommitWindows;
import org.beammlops.transforms.lake.GenericRecords;
import org.beammlops.transforms.lake.Lake;
import org.beammlops.transforms.lake.WritePartitionedParquet;
import org.beammlops.transforms.metrics.CountElements;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.beammlops.transforms.parse.ErrorType;
import org.beammlops.transforms.parse.InputFormat;
import org.beammlops.transforms.parse.ParseAndValidate;
import org.beammlops.transforms.parse.ParseResult;
import org.beammlops.transforms.parse.RecordEncoder;
import org.beammlops.transforms.tracking.TrackingConfig;
import org.joda.time.Duration;

/**
 * {@code ./mlops score}: real-time scoring of a use case's requests.
 *
 * <pre>
 * &lt;uc&gt;.requests ─ ParseAndValidate ─ Deduplicate(request id) ─ RunInference(champion, refreshed) ─┬─ &lt;uc&gt;.predictions
 *        │                                                      ▲                                    └─ lake predictions/date=…/
 *        └─ dead letters ─────────────── + inference failures ──┼──────────── &lt;uc&gt;.dlq + lake deadletter/
 *                                         registry poll (side input) ── model events ── &lt;uc&gt;.alerts
 * </pre>
 *
 * Consumer offsets are committed when a bundle is finalized, i.e. after its outputs are written (on
 * Flink: after the checkpoint that holds them), so a restarted job re-reads what was not durably
 * scored; at-least-once, with {@code --exactlyOnce} for Kafka transactions on the sink.
 */
public final class ScorePipeline {
  static final String NAME = "score";
  static final String[] COUNTERS = {
    PipelineCounters.READ,
    PipelineCounters.VALID,
    PipelineCounters.DEAD_LETTER,
    "inferences",
    "predictions"
  };

  private ScorePipeline() {}

  public static Map<String, Object> run(ScoreOptions options) {
    Pipeline pipeline = create(options);
    UseCase useCase = UseCases.load(options.getUseCase());
    Task task = useCase.task(options.getTask());
    GroupOffsets offsets =
        new GroupOffsets(
            options.getBootstrapServers(),
            requestsTopic(options, useCase),
            consumerGroup(options, useCase, task));
    if (options.getStartAt().equals("latest")) {
      long skipped = offsets.moveToEnd();
      PipelineReports.progress("score: skipped " + skipped + " requests already on the topic");
    }
    if (options.getStopWhenIdleSeconds() > 0) {
      Map<TopicPartition, Long> start = offsets.positions();
      return PipelineReports.runUntilIdle(
          pipeline,
          options.getStopWhenIdleSeconds(),
          options.getRunSeconds(),
          counters ->
              everyReadRequestHandled(counters)
                  && offsets.unread(start, counters.getOrDefault(PipelineCounters.READ, 0L)) == 0,
          COUNTERS);
    }
    return options.getRunSeconds() > 0
        ? PipelineReports.runFor(pipeline, options.getRunSeconds(), COUNTERS)
        : PipelineReports.runToCompletion(pipeline, COUNTERS);
  }

  /**
   * Starts the job and returns it running (on the DirectRunner with {@code --blockOnRun=false};
   * runners that block return when it has ended), for callers that end it with {@link #stop}.
   */
  public static PipelineResult start(ScoreOptions options) {
    return create(options).run();
  }

  /** Cancels a job from {@link #start} and returns its counters. */
  public static Map<String, Object> stop(PipelineResult job) {
    return PipelineReports.stop(job, COUNTERS);
  }

  private static Pipeline create(ScoreOptions options) {
    UseCase useCase = UseCases.load(options.getUseCase());
    Task task = useCase.task(options.getTask());
    checkStopAndStart(options);
    String trackingUri = trackingUri(options);
    String modelUri = modelUri(options, useCase, task);
    // Fails here, before anything runs, for a model that does not exist or cannot be served, or a
    // tracking server that does not answer.
    ModelRef initial =
        StartupModel.resolveAndCheck(useCase.name(), trackingUri, modelUri, "--model");
    PipelineReports.progress(
        "score: "
            + requestsTopic(options, useCase)
            + " -> "
            + predictionsTopic(options, useCase)
            + " with "
            + initial.id()
            + " ("
            + modelUri
            + ")");
    return build(options, useCase, task, trackingUri, modelUri, initial);
  }

  /**
   * True when every valid request read so far has an outcome: a prediction, an inference failure (a
   * dead letter) or a duplicate of a request already scored.
   */
  static boolean everyReadRequestHandled(Map<String, Long> counters) {
    long handled =
        counters.getOrDefault("predictions", 0L)
            + counters.getOrDefault("inferenceFailures", 0L)
            + counters.getOrDefault(PipelineCounters.DUPLICATES, 0L);
    return handled >= counters.getOrDefault(PipelineCounters.VALID, 0L);
  }

  /** Bad values of the stop and start options, before anything runs. */
  static void checkStopAndStart(ScoreOptions options) {
    long idle = options.getStopWhenIdleSeconds();
    if (idle < 0) {
      throw new IllegalArgumentException("--stopWhenIdleSeconds must be >= 0, not " + idle);
    }
    if (idle > 0 && idle <= options.getCommitIntervalSeconds()) {
      throw new IllegalArgumentException(
          "--stopWhenIdleSeconds="
              + idle
              + " must exceed --commitIntervalSeconds="
              + options.getCommitIntervalSeconds()
              + ": the job would stop before its last prediction-log files are committed");
    }
    if (!options.getStartAt().equals("committed") && !options.getStartAt().equals("latest")) {
      throw new IllegalArgumentException(
          "--startAt must be committed or latest, not " + options.getStartAt());
    }
  }

  static String consumerGroup(ScoreOptions options, UseCase useCase, Task task) {
    return options.getConsumerGroup() != null
        ? options.getConsumerGroup()
        : "mlops-score-" + useCase.name() + "-" + task.name();
  }

  public static String trackingUri(ScoreOptions options) {
    return options.getTrackingUri() != null
        ? options.getTrackingUri()
        : TrackingConfig.fromEnvironment().trackingUri().toString();
  }

  public static String modelUri(ScoreOptions options, UseCase useCase, Task task) {
    return options.getModel() != null
        ? options.getModel()
        : "models:/" + useCase.name() + "-" + task.name() + "@champion";
  }

  private static String requestsTopic(ScoreOptions o, UseCase uc) {
    return o.getRequestsTopic() != null ? o.getRequestsTopic() : uc.topics().requests();
  }

  private static String predictionsTopic(ScoreOptions o, UseCase uc) {
    return o.getPredictionsTopic() != null ? o.getPredictionsTopic() : uc.topics().predictions();
  }

  public static Pipeline build(
      ScoreOptions options,
      UseCase useCase,
      Task task,
      String trackingUri,
      String modelUri,
      ModelRef initial) {
    Pipeline pipeline = Pipeline.create(options);
    Lake lake = Lake.at(options.getLake(), useCase.name());
    KafkaIO.Read<byte[], byte[]> read =
        TopicReads.inGroupCommittedAfterOutputs(
                options.getBootstrapServers(),
                requestsTopic(options, useCase),
                consumerGroup(options, useCase, task),
                options.getMaxRecords(),
                options.getMaxReadSeconds())
            .withCreateTime(Duration.standardSeconds(30));
    PCollection<KafkaRecord<byte[], byte[]>> messages = pipeline.apply("ReadRequests", read);
    ParseResult parsed =
        messages.apply(
            "ParseAndValidate",
            ParseAndValidate.messages(
                useCase,
                InputFormat.of(
                    options.getFormat().equalsIgnoreCase("auto") ? "json" : options.getFormat(),
                    ""),
                NAME));
    Duration ttl = Duration.millis(useCase.dedupTtl().toMillis());
    PCollection<GenericRecord> requests =
        parsed
            .records()
            .apply(
                "OnePredictionPerRequestId",
                DeduplicateById.withTtl(useCase, ttl, options.getDedupKeys()));

    RunInference<GenericRecord, Double> runInference =
        RunInference.of(
                MlflowOnnxModelHandler.of(useCase.name(), trackingUri), initial, DoubleCoder.of())
            .withBatchSize(options.getMinBatchSize(), options.getMaxBatchSize());
    if (options.getMaxWaitMillis() > 0) {
      runInference = runInference.withMaxWait(Duration.millis(options.getMaxWaitMillis()));
    }
    if (options.getPollIntervalSeconds() > 0 && modelUri.startsWith("models:/")) {
      WatchModelRegistry watch =
          WatchModelRegistry.of(
              trackingUri, modelUri, Duration.standardSeconds(options.getPollIntervalSeconds()));
      if (options.getMaxReadSeconds() > 0) {
        // A bounded run ends when its read does; the registry poll must end with it.
        watch =
            watch.stoppingAt(
                org.joda.time.Instant.now()
                    .plus(Duration.standardSeconds(options.getMaxReadSeconds())));
      }
      PCollectionView<Iterable<WatchModelRegistry.Answer>> updates =
          pipeline.apply("WatchRegistry", watch);
      runInference = runInference.withModelUpdates(updates);
    }
    RunInference.Result<GenericRecord, Double> scored =
        requests.apply("RunInference", runInference);

    PCollection<Prediction> predictions =
        scored
            .predictions()
            .apply("ToPrediction", ParDo.of(new ToPrediction(useCase, task)))
            .setCoder(AvroCoder.of(Prediction.class))
            .apply("CountPredictions", CountElements.as("predictions"));
    PublishPredictions publish =
        PublishPredictions.to(
            options.getBootstrapServers(),
            predictionsTopic(options, useCase),
            options.getPredictionFormat());
    if (options.getExactlyOnce()) {
      publish = publish.withExactlyOnce("mlops-score-" + useCase.name() + "-" + task.name());
    }
    predictions.apply("PublishPredictions", publish);
    predictions
        .apply(
            "AsRows",
            MapElements.into(TypeDescriptor.of(GenericRecord.class)).via(GenericRecords::toGeneric))
        .setCoder(AvroCoder.of(GenericRecord.class, Prediction.getClassSchema()))
        .apply("CommitEvery", CommitWindows.every(options.getCommitIntervalSeconds()))
        .apply(
            "WritePredictionLog",
            WritePartitionedParquet.to(
                    lake.predictionsDir(),
                    lake.tempDir(),
                    Prediction.getClassSchema(),
                    options.getRunId(),
                    r ->
                        java.time.Instant.ofEpochMilli(GenericRecords.millis(r.get("scoredAt")))
                            .atZone(ZoneOffset.UTC)
                            .toLocalDate()
                            .toString())
                .withNumShards(1));

    RecordEncoder encoder = new RecordEncoder(useCase, false);
    PCollection<DeadLetter> inferenceFailures =
        scored
            .failures()
            .apply(
                "FailuresAsDeadLetters",
                MapElements.into(TypeDescriptor.of(DeadLetter.class))
                    .via(
                        (KV<GenericRecord, String> f) -> {
                          byte[] bytes = encoder.toJson(f.getKey());
                          return DeadLetters.of(
                              useCase.name(),
                              NAME,
                              "RunInference",
                              String.valueOf(f.getKey().get(UseCase.SOURCE_FIELD)),
                              positionOf(f.getKey()),
                              bytes,
                              bytes.length,
                              ErrorType.INFERENCE_FAILED,
                              f.getValue());
                        }))
            .setCoder(AvroCoder.of(DeadLetter.class));
    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(parsed.deadLetters())
            .and(inferenceFailures)
            .apply("AllDeadLetters", Flatten.pCollections());
    deadLetters.apply(
        "PublishDeadLetters",
        PublishDeadLetters.to(options.getBootstrapServers(), useCase.topics().dlq()));
    deadLetters
        .apply("CommitDeadLettersEvery", CommitWindows.every(options.getCommitIntervalSeconds()))
        .apply(
            "WriteDeadLetters", WriteDeadLetters.toLake(lake, options.getRunId()).withNumShards(1));

    scored
        .modelEvents()
        .apply("PublishModelEvents", PublishModelEvents.to(options.getBootstrapServers(), useCase));
    return pipeline;
  }

  private static long positionOf(GenericRecord record) {
    Object p =
        record.getSchema().getField(UseCase.POSITION_FIELD) == null
            ? null
            : record.get(UseCase.POSITION_FIELD);
    return p instanceof Number n ? n.longValue() : -1;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
