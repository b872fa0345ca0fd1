package org.beammlops.pipelines.metrics;

import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.beammlops.schemas.Alert;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.MetricWindow;
import org.beammlops.schemas.Prediction;
import org.beammlops.schemas.usecase.AlertRule;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.alerts.AlertDelivery;
import org.beammlops.transforms.alerts.AlertJson;
import org.beammlops.transforms.alerts.DeliverAlerts;
import org.beammlops.transforms.alerts.EvaluateAlerts;
import org.beammlops.transforms.deadletter.PublishDeadLetters;
import org.beammlops.transforms.deadletter.RejectedRecordException;
import org.beammlops.transforms.deadletter.WriteDeadLetters;
import org.beammlops.transforms.drift.WindowedDrift;
import org.beammlops.transforms.feedback.FeedbackMessages;
import org.beammlops.transforms.feedback.JoinFeedback;
import org.beammlops.transforms.feedback.LabelledRecords;
import org.beammlops.transforms.feedback.LogMetricWindows;
import org.beammlops.transforms.feedback.MetricWindowJson;
import org.beammlops.transforms.feedback.ModelVersionCheck;
import org.beammlops.transforms.feedback.ParseJoinInputs;
import org.beammlops.transforms.feedback.PredictionMessages;
import org.beammlops.transforms.feedback.WindowedMetrics;
import org.beammlops.transforms.feedback.WriteMetricWindows;
import org.beammlops.transforms.kafka.EventTimePolicy;
import org.beammlops.transforms.kafka.PublishMessages;
import org.beammlops.transforms.kafka.TopicReads;
import org.beammlops.transforms.lake.CommitWindows;
import org.beammlops.transforms.lake.EventDates;
import org.beammlops.transforms.lake.Lake;
import org.beammlops.transforms.lake.WritePartitionedParquet;
import org.beammlops.transforms.tracking.TrackingSettings;
import org.joda.time.Duration;

/**
 * The graph of {@code ./mlops metrics}: live model metrics from late feedback ({@link
 * FeedbackMetricsCommand} runs it).
 *
 * <pre>
 * &lt;uc&gt;.predictions ─ ParsePredictions ─┐
 *                                      ├─ JoinFeedback (by request id, TTL) ─ WindowedMetrics ─┬─ PublishMetrics ─ &lt;uc&gt;.metrics
 * &lt;uc&gt;.feedback ─── ParseFeedback ────┘                                                    ├─ WriteMetrics ─ lake metrics/
 *                                                                                          ├─ TrackMetrics ─ a run per version
 *                                                                                          └─ EvaluateAlerts ─ PublishAlerts ─ &lt;uc&gt;.alerts, DeliverAlerts ─ webhook, email
 * ParsePredictions ─ EstimatedMetrics (CBPE: the predictions alone, before labels) ─┘ (flattened with the windows above)
 * ReadPredictions ─ DecodePredictions ─ StreamingDrift (WindowedDrift: profiles per version vs each version's reference) ─┘
 *                                     └─ LabelledRecords (with ReadFeedback: features + raw labels) ─ WriteLabelledRecords ─ lake events/
 * dead letters (unreadable messages, unpublishable windows) ─ PublishDeadLetters ─ &lt;uc&gt;.dlq, WriteDeadLetters ─ lake
 * </pre>
 *
 * ParsePredictions dead-letters a prediction of a model version the registry does not hold ({@link
 * ModelVersionCheck}). Both reads take the event time from the payload ({@link EventTimePolicy})
 * and commit their offsets after the outputs, in one consumer group.
 */
public final class FeedbackMetricsPipeline {
  static final String NAME = "metrics";

  private FeedbackMetricsPipeline() {}

  /** The settings the launcher resolved: TTL, windows and where a restart resumes. */
  record Settings(
      Duration ttl,
      Duration window,
      Duration period,
      Duration earlyFiring,
      Duration allowedLateness,
      Duration maxOutOfOrder,
      Duration maxAhead,
      org.joda.time.Instant skipWindowsEndingBy,
      org.joda.time.Instant skipEstimatedWindowsEndingBy,
      org.joda.time.Instant skipDriftWindowsEndingBy,
      List<AlertRule> alertRules,
      AlertDelivery alertDelivery) {}

  public static Pipeline build(
      FeedbackMetricsOptions options,
      UseCase useCase,
      Task task,
      TrackingSettings tracking,
      Settings settings) {
    Pipeline pipeline = Pipeline.create(options);
    Lake lake = Lake.at(options.getLake(), useCase.name());
    String bootstrap = options.getBootstrapServers();

    PredictionMessages predictionCodec = PredictionMessages.of(useCase, task);
    FeedbackMessages feedbackMessages = FeedbackMessages.of(useCase, task);
    PCollection<KafkaRecord<byte[], byte[]>> predictionMessages =
        pipeline.apply(
            "ReadPredictions",
            read(
                options,
                consumerGroup(options, useCase, task),
                predictionsTopic(options, useCase),
                options.getMaxPredictions(),
                predictionCodec::eventTimeOrNull,
                settings));
    PCollectionTuple predictions =
        predictionMessages.apply(
            "ParsePredictions",
            ParseJoinInputs.predictions(useCase, task, NAME, versionCheck(options, tracking)));
    PCollection<KafkaRecord<byte[], byte[]>> feedbackMessagesRead =
        pipeline.apply(
            "ReadFeedback",
            read(
                options,
                consumerGroup(options, useCase, task),
                feedbackTopic(options, useCase),
                options.getMaxFeedback(),
                feedbackMessages::eventTimeOrNull,
                settings));
    PCollectionTuple feedback =
        feedbackMessagesRead.apply("ParseFeedback", ParseJoinInputs.feedback(useCase, task, NAME));

    PCollection<MetricWindow> realized =
        PCollectionTuple.of(ParseJoinInputs.OUTCOMES, predictions.get(ParseJoinInputs.OUTCOMES))
            .and(ParseJoinInputs.TRUTHS, feedback.get(ParseJoinInputs.TRUTHS))
            .apply("JoinFeedback", JoinFeedback.within(settings.ttl()))
            .get(JoinFeedback.OUTCOMES)
            .apply(
                "WindowedMetrics",
                WindowedMetrics.of(useCase, task)
                    .every(settings.window(), settings.period())
                    .setEarlyFiring(settings.earlyFiring())
                    .setAllowedLateness(settings.allowedLateness())
                    .skipWindowsEndingBy(settings.skipWindowsEndingBy())
                    .build());
    PCollection<MetricWindow> windows = realized;
    if (options.getEstimatePerformance() && task.type() != Task.Type.REGRESSION) {
      // expected performance from the predictions alone: these windows close with the
      // predictions' watermark, before the join's TTL lets the realized ones close
      PCollection<MetricWindow> estimated =
          predictions
              .get(ParseJoinInputs.OUTCOMES)
              .apply(
                  "EstimatedMetrics",
                  WindowedMetrics.of(useCase, task)
                      .every(settings.window(), settings.period())
                      .setEarlyFiring(settings.earlyFiring())
                      .setAllowedLateness(settings.allowedLateness())
                      .skipWindowsEndingBy(settings.skipEstimatedWindowsEndingBy())
                      .estimated()
                      .build());
      windows =
          PCollectionList.of(realized).and(estimated).apply("AllWindows", Flatten.pCollections());
    }
    PCollectionList<DeadLetter> labelRejects = PCollectionList.empty(pipeline);
    boolean streamingDrift = options.getStreamingDrift() && tracking != null;
    boolean labelledRecords = writesLabelledRecords(options, useCase, task);
    if (streamingDrift || labelledRecords) {
      PCollection<Prediction> decoded =
          predictionMessages
              .apply("DecodePredictions", ParDo.of(new DecodePredictionsFn(predictionCodec)))
              .setCoder(AvroCoder.of(Prediction.class));
      if (streamingDrift) {
        // the scored requests' features and predictions against each version's reference profile
        PCollection<MetricWindow> drift =
            decoded.apply(
                "StreamingDrift",
                WindowedDrift.of(
                        useCase,
                        task,
                        settings.window(),
                        settings.period(),
                        new ModelReferenceProfiles(
                            tracking, useCase.modelName(task), useCase.name()))
                    .skipWindowsEndingBy(settings.skipDriftWindowsEndingBy()));
        windows = PCollectionList.of(windows).and(drift).apply("WithDrift", Flatten.pCollections());
      }
      if (labelledRecords) {
        // new truth as training data: the request's features with its feedback's raw labels
        PCollectionTuple labelled =
            PCollectionTuple.of(LabelledRecords.PREDICTIONS, decoded)
                .and(LabelledRecords.FEEDBACK, feedbackMessagesRead)
                .apply("LabelledRecords", LabelledRecords.of(useCase, NAME, settings.ttl()));
        labelled
            .get(LabelledRecords.RECORDS)
            .apply("CommitLabelled", CommitWindows.every(options.getCommitIntervalSeconds()))
            .apply(
                "WriteLabelledRecords",
                WritePartitionedParquet.to(
                        lake.eventsDir(),
                        lake.tempDir(),
                        useCase.lakeSchema(),
                        options.getRunId() + "-labelled",
                        EventDates.of(useCase))
                    .withNumShards(1));
        labelRejects = labelRejects.and(labelled.get(LabelledRecords.DEAD_LETTERS));
      }
    }

    PCollection<DeadLetter> unpublished =
        windows.apply(
            "PublishMetrics",
            PublishMessages.<MetricWindow>to(bootstrap, metricsTopic(options, useCase))
                .encodedBy(w -> KV.of(MetricWindowJson.key(w), MetricWindowJson.json(w)))
                .rejectsAs(useCase.name(), NAME, "PublishMetrics")
                .build());
    windows.apply(
        "WriteMetrics",
        WriteMetricWindows.to(lake, options.getRunId(), options.getCommitIntervalSeconds()));
    if (options.getTrackMetrics()) {
      String experiment =
          options.getExperiment() != null ? options.getExperiment() : useCase.modelName(task);
      windows.apply("TrackMetrics", LogMetricWindows.to(tracking, experiment));
    }

    PCollectionList<DeadLetter> alertFailures = PCollectionList.empty(pipeline);
    if (!settings.alertRules().isEmpty()) {
      PCollection<Alert> alerts =
          windows.apply("EvaluateAlerts", EvaluateAlerts.of(settings.alertRules()));
      alertFailures =
          alertFailures
              .and(
                  alerts.apply(
                      "PublishAlerts",
                      PublishMessages.<Alert>to(bootstrap, useCase.topics().alerts())
                          .encodedBy(a -> KV.of(AlertJson.key(a), AlertJson.json(a)))
                          .rejectsAs(useCase.name(), NAME, "PublishAlerts")
                          .build()))
              .and(
                  alerts.apply(
                      "DeliverAlerts",
                      DeliverAlerts.with(settings.alertDelivery(), useCase.name(), NAME)));
    }

    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(predictions.get(ParseJoinInputs.DEAD_LETTERS))
            .and(feedback.get(ParseJoinInputs.DEAD_LETTERS))
            .and(unpublished)
            .and(alertFailures.getAll())
            .and(labelRejects.getAll())
            .apply("AllDeadLetters", Flatten.pCollections());
    deadLetters.apply(
        "PublishDeadLetters", PublishDeadLetters.to(bootstrap, useCase.topics().dlq()));
    deadLetters.apply(
        "WriteDeadLetters",
        WriteDeadLetters.toLake(lake, options.getRunId())
            .committedEvery(options.getCommitIntervalSeconds()));
    return pipeline;
  }

  /** Explicitly asked, or by default the job of the use case's first task. */
  static boolean writesLabelledRecords(FeedbackMetricsOptions options, UseCase useCase, Task task) {
    Boolean asked = options.getWriteLabelledRecords();
    return asked != null ? asked : useCase.tasks().get(0).name().equals(task.name());
  }

  private static KafkaIO.Read<byte[], byte[]> read(
      FeedbackMetricsOptions options,
      String group,
      String topic,
      long maxRecords,
      SerializableFunction<byte[], Long> eventTime,
      Settings settings) {
    return TopicReads.inGroupCommittedAfterOutputs(
            options.getBootstrapServers(), topic, group, maxRecords, 0)
        .withTimestampPolicyFactory(
            EventTimePolicy.factory(eventTime, settings.maxOutOfOrder(), settings.maxAhead()));
  }

  private static ModelVersionCheck versionCheck(
      FeedbackMetricsOptions options, TrackingSettings tracking) {
    return options.getCheckModelVersions()
        ? ModelVersionCheck.registeredIn(
            tracking, java.time.Duration.ofSeconds(options.getModelVersionRefreshSeconds()))
        : ModelVersionCheck.none();
  }

  static String consumerGroup(FeedbackMetricsOptions o, UseCase useCase, Task task) {
    return o.getConsumerGroup() != null ? o.getConsumerGroup() : useCase.consumerGroup(NAME, task);
  }

  static String predictionsTopic(FeedbackMetricsOptions o, UseCase uc) {
    return o.getPredictionsTopic() != null ? o.getPredictionsTopic() : uc.topics().predictions();
  }

  static String feedbackTopic(FeedbackMetricsOptions o, UseCase uc) {
    return o.getFeedbackTopic() != null ? o.getFeedbackTopic() : uc.topics().feedback();
  }

  static String metricsTopic(FeedbackMetricsOptions o, UseCase uc) {
    return o.getMetricsTopic() != null ? o.getMetricsTopic() : uc.topics().metrics();
  }

  /**
   * The task's predictions as records, for the drift branch. A message that cannot be read is
   * dropped here: ParsePredictions makes it a dead letter.
   */
  static final class DecodePredictionsFn extends DoFn<KafkaRecord<byte[], byte[]>, Prediction> {
    private final PredictionMessages codec;

    DecodePredictionsFn(PredictionMessages codec) {
      this.codec = codec;
    }

    @ProcessElement
    public void process(
        @Element KafkaRecord<byte[], byte[]> message, OutputReceiver<Prediction> out) {
      try {
        Prediction p = codec.decode(message.getKV().getValue());
        if (codec.isOfTask(p)) {
          out.output(p);
        }
      } catch (RejectedRecordException | RuntimeException e) {
        // a dead letter of ParsePredictions
      }
    }
  }
}
