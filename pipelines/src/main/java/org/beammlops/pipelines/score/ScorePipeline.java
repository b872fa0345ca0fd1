package org.beammlops.pipelines.score;

import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.beammlops.pipelines.common.AlertOptions;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.alerts.DeliverAlerts;
import org.beammlops.transforms.alerts.RefusedModelAlerts;
import org.beammlops.transforms.deadletter.PublishDeadLetters;
import org.beammlops.transforms.deadletter.WriteDeadLetters;
import org.beammlops.transforms.inference.MlflowOnnxModelHandler;
import org.beammlops.transforms.inference.ModelOutput;
import org.beammlops.transforms.inference.ModelRef;
import org.beammlops.transforms.inference.RunInference;
import org.beammlops.transforms.inference.WatchModelRegistry;
import org.beammlops.transforms.kafka.TopicReads;
import org.beammlops.transforms.lake.Lake;
import org.beammlops.transforms.serving.PublishModelEvents;
import org.beammlops.transforms.serving.PublishPredictions;
import org.beammlops.transforms.serving.ScoreRecords;
import org.beammlops.transforms.serving.ScoreRequests;
import org.beammlops.transforms.serving.ScoringResult;
import org.beammlops.transforms.serving.WritePredictionLog;
import org.beammlops.transforms.tracking.TrackingSettings;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The graph of {@code ./mlops score}: real-time scoring of a use case's requests ({@link
 * ScoreCommand} runs it).
 *
 * <pre>
 * &lt;uc&gt;.requests ─ ScoreRequests(parse, one per id, RunInference following the champion) ─┬─ PublishPredictions ─ &lt;uc&gt;.predictions
 *                                                                                 ├─ WritePredictionLog ─ lake predictions/
 *                                                                                 ├─ PublishModelEvents ─ &lt;uc&gt;.alerts
 *                                                                                 └─ RefusedModelAlerts ─ DeliverAlerts ─ webhook, email
 * dead letters (unreadable, unscorable, unpublishable) ─ PublishDeadLetters ─ &lt;uc&gt;.dlq, WriteDeadLetters ─ lake deadletter/
 * </pre>
 *
 * Consumer offsets are committed when a bundle is finalized, i.e. after its outputs are written (on
 * Flink: after the checkpoint that holds them), so a restarted job re-reads what was not durably
 * scored; at-least-once, with {@code --exactlyOnce} for Kafka transactions on the sink.
 */
public final class ScorePipeline {
  static final String NAME = "score";

  private ScorePipeline() {}

  /** The score pipeline serving {@code initial} first (resolved and checked on the launcher). */
  public static Pipeline build(
      ScoreOptions options,
      UseCase useCase,
      Task task,
      TrackingSettings tracking,
      ModelRef initial) {
    Pipeline pipeline = Pipeline.create(options);
    Lake lake = Lake.at(options.getLake(), useCase.name());
    String bootstrap = options.getBootstrapServers();

    ScoringResult scored =
        pipeline
            .apply("ReadRequests", readRequests(options, useCase, task))
            .apply(
                "ScoreRequests",
                ScoreRequests.of(
                    options.getFormat().forMessages(),
                    ScoreRecords.with(
                        useCase, task, NAME, inference(options, useCase, task, tracking, initial)),
                    options.getDedupKeys()));

    PCollection<DeadLetter> unpublishedPredictions =
        scored
            .predictions()
            .apply("PublishPredictions", publishPredictions(options, useCase, task));
    scored
        .predictions()
        .apply(
            "WritePredictionLog",
            WritePredictionLog.to(lake, options.getRunId(), options.getCommitIntervalSeconds()));
    PCollection<DeadLetter> unpublishedEvents =
        scored
            .modelEvents()
            .apply("PublishModelEvents", PublishModelEvents.to(bootstrap, useCase, NAME));

    PCollection<DeadLetter> undeliveredAlerts =
        scored
            .modelEvents()
            .apply("RefusedModelAlerts", RefusedModelAlerts.from(NAME))
            .apply(
                "DeliverAlerts",
                DeliverAlerts.with(AlertOptions.delivery(options), useCase.name(), NAME));

    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(scored.deadLetters())
            .and(unpublishedPredictions)
            .and(unpublishedEvents)
            .and(undeliveredAlerts)
            .apply("AllDeadLetters", Flatten.pCollections());
    deadLetters.apply(
        "PublishDeadLetters", PublishDeadLetters.to(bootstrap, useCase.topics().dlq()));
    deadLetters.apply(
        "WriteDeadLetters",
        WriteDeadLetters.toLake(lake, options.getRunId())
            .committedEvery(options.getCommitIntervalSeconds()));
    return pipeline;
  }

  /** The requests topic in the pipeline's consumer group, offsets committed after the outputs. */
  private static org.apache.beam.sdk.io.kafka.KafkaIO.Read<byte[], byte[]> readRequests(
      ScoreOptions options, UseCase useCase, Task task) {
    return TopicReads.inGroupCommittedAfterOutputs(
            options.getBootstrapServers(),
            requestsTopic(options, useCase),
            consumerGroup(options, useCase, task),
            options.getMaxRecords(),
            options.getMaxReadSeconds())
        .withCreateTime(Duration.standardSeconds(30));
  }

  /** RunInference with the MLflow ONNX handler, following the registry when serving an alias. */
  private static RunInference<GenericRecord, ModelOutput> inference(
      ScoreOptions options,
      UseCase useCase,
      Task task,
      TrackingSettings tracking,
      ModelRef initial) {
    RunInference<GenericRecord, ModelOutput> inference =
        RunInference.of(
                MlflowOnnxModelHandler.of(useCase.name(), tracking), initial, ModelOutput.coder())
            .withBatchSize(options.getMinBatchSize(), options.getMaxBatchSize());
    if (options.getMaxWaitMillis() > 0) {
      inference = inference.withMaxWait(Duration.millis(options.getMaxWaitMillis()));
    }
    String modelUri = modelUri(options, useCase, task);
    if (options.getPollIntervalSeconds() > 0 && modelUri.startsWith("models:/")) {
      WatchModelRegistry watch =
          WatchModelRegistry.of(
              tracking, modelUri, Duration.standardSeconds(options.getPollIntervalSeconds()));
      if (options.getMaxReadSeconds() > 0) {
        // A bounded run ends when its read does; the registry poll must end with it.
        watch =
            watch.stoppingAt(
                Instant.now().plus(Duration.standardSeconds(options.getMaxReadSeconds())));
      }
      inference = inference.following(watch);
    }
    return inference;
  }

  private static PublishPredictions publishPredictions(
      ScoreOptions options, UseCase useCase, Task task) {
    PublishPredictions.Builder publish =
        PublishPredictions.to(options.getBootstrapServers(), predictionsTopic(options, useCase))
            .setFormat(options.getPredictionFormat())
            .from(useCase.name(), NAME);
    if (options.getExactlyOnce()) {
      publish = publish.withExactlyOnce(useCase.consumerGroup(NAME, task));
    }
    return publish.build();
  }

  /** {@code --consumerGroup}, or the use case's group of the score pipeline for {@code task}. */
  static String consumerGroup(ScoreOptions options, UseCase useCase, Task task) {
    return options.getConsumerGroup() != null
        ? options.getConsumerGroup()
        : useCase.consumerGroup(NAME, task);
  }

  /** {@code --model}, or the champion of the task's registered model. */
  public static String modelUri(ScoreOptions options, UseCase useCase, Task task) {
    return options.getModel() != null
        ? options.getModel()
        : "models:/" + useCase.modelName(task) + "@champion";
  }

  static String requestsTopic(ScoreOptions o, UseCase uc) {
    return o.getRequestsTopic() != null ? o.getRequestsTopic() : uc.topics().requests();
  }

  static String predictionsTopic(ScoreOptions o, UseCase uc) {
    return o.getPredictionsTopic() != null ? o.getPredictionsTopic() : uc.topics().predictions();
  }
}
