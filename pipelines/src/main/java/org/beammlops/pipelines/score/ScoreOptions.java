package org.beammlops.pipelines.score;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.options.Validation;
import org.beammlops.pipelines.common.AlertOptions;
import org.beammlops.pipelines.common.DedupOptions;
import org.beammlops.pipelines.common.MlopsOptions;
import org.beammlops.pipelines.common.StopOptions;
import org.beammlops.transforms.parse.Format;
import org.beammlops.transforms.serving.PublishPredictions;
import org.beammlops.transforms.tracking.TrackingOptions;

/** Options of {@code ./mlops score}. */
public interface ScoreOptions
    extends MlopsOptions,
        TrackingOptions,
        DedupOptions,
        StopOptions,
        AlertOptions,
        StreamingOptions {
  /** Where the consumer group starts reading. */
  enum StartAt {
    /** Its committed offsets; the earliest when it has none. */
    committed,
    /** First moves the group to the end of the topic: only requests sent from now on. */
    latest
  }

  @Description("Task the model predicts, e.g. delay15; names the default model.")
  @Validation.Required
  String getTask();

  void setTask(String value);

  @Description(
      "Model to serve: models:/<name>@<alias> (followed while running), models:/<name>/<version>"
          + " or a local MLflow model directory; default models:/<useCase>-<task>@champion.")
  String getModel();

  void setModel(String value);

  @Description("Seconds between looks at the registry for a moved alias (0 = never).")
  @Default.Integer(10)
  int getPollIntervalSeconds();

  void setPollIntervalSeconds(int value);

  @Description("Requests topic; default <useCase>.requests.")
  String getRequestsTopic();

  void setRequestsTopic(String value);

  @Description("Predictions topic; default <useCase>.predictions.")
  String getPredictionsTopic();

  void setPredictionsTopic(String value);

  @Description("Encoding of messages on the predictions topic: json or avro.")
  @Default.Enum("json")
  PublishPredictions.Format getPredictionFormat();

  void setPredictionFormat(PublishPredictions.Format value);

  @Description(
      "Format of request payloads without a content-type header: json or avro (auto = json).")
  @Default.Enum("auto")
  Format getFormat();

  void setFormat(Format value);

  @Description("Smallest batch RunInference waits for (with --maxWaitMillis).")
  @Default.Integer(1)
  int getMinBatchSize();

  void setMinBatchSize(int value);

  @Description("Largest batch scored at once.")
  @Default.Integer(256)
  int getMaxBatchSize();

  void setMaxBatchSize(int value);

  @Description(
      "Batch across bundles, waiting at most this long for --minBatchSize requests (0 = batch"
          + " within each bundle).")
  @Default.Integer(0)
  int getMaxWaitMillis();

  void setMaxWaitMillis(int value);

  @Description("Stop after this many requests (0 = run until cancelled).")
  @Default.Long(0)
  long getMaxRecords();

  void setMaxRecords(long value);

  @Description("Stop after reading for this many seconds (0 = run until cancelled).")
  @Default.Long(0)
  long getMaxReadSeconds();

  void setMaxReadSeconds(long value);

  @Description(
      "Where the consumer group starts: committed (its committed offsets; the earliest when it has"
          + " none) or latest (first moves the group to the end of the requests topic, skipping"
          + " what is already there, so only requests sent from now on are scored).")
  @Default.Enum("committed")
  StartAt getStartAt();

  void setStartAt(StartAt value);

  @Description("Seconds between prediction-log file commits to the lake.")
  @Default.Integer(30)
  int getCommitIntervalSeconds();

  void setCommitIntervalSeconds(int value);

  @Description(
      "Write predictions with Kafka transactions (exactly once; needs a runner with checkpoints,"
          + " e.g. Flink with --checkpointingInterval).")
  @Default.Boolean(false)
  boolean getExactlyOnce();

  void setExactlyOnce(boolean value);

  @Description("Kafka consumer group of the score pipeline; default mlops-score-<useCase>-<task>.")
  String getConsumerGroup();

  void setConsumerGroup(String value);
}
