package org.beammlops.pipelines.metrics;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.options.Validation;
import org.beammlops.pipelines.common.AlertOptions;
import org.beammlops.pipelines.common.MlopsOptions;
import org.beammlops.pipelines.common.StopOptions;
import org.beammlops.transforms.tracking.TrackingOptions;

/** Options of {@code ./mlops metrics}. */
public interface FeedbackMetricsOptions
    extends MlopsOptions, TrackingOptions, StopOptions, AlertOptions, StreamingOptions {
  @Description("Task whose predictions are measured, e.g. delay15.")
  @Validation.Required
  String getTask();

  void setTask(String value);

  @Description("Length of a metric window in event time (ISO-8601).")
  @Default.String("PT1H")
  String getWindow();

  void setWindow(String value);

  @Description("How often a window starts (ISO-8601); equal to --window for fixed windows.")
  @Default.String("PT10M")
  String getPeriod();

  void setPeriod(String value);

  @Description(
      "Emit an EARLY pane of a window this many seconds of processing time after its first pair"
          + " (0 = only the ON_TIME and LATE panes).")
  @Default.Long(0)
  long getEarlyFiringSeconds();

  void setEarlyFiringSeconds(long value);

  @Description(
      "How long after a window's end (in event time) late pairs still update it, each in a LATE"
          + " pane; later ones are dropped and counted as droppedLate (ISO-8601).")
  @Default.String("PT1H")
  String getAllowedLateness();

  void setAllowedLateness(String value);

  @Description(
      "How long the join waits, in event time, for the other side of a request before it counts"
          + " it unmatched (ISO-8601); default the use case's feedbackTtl.")
  String getFeedbackTtl();

  void setFeedbackTtl(String value);

  @Description(
      "How far a message's event time may be behind the newest one of its partition and still not"
          + " be late at the source (ISO-8601); the join's TTL adds to it.")
  @Default.String("PT1M")
  String getMaxOutOfOrder();

  void setMaxOutOfOrder(String value);

  @Description(
      "A message whose event time is this far ahead of its partition's newest (or of the clock) is"
          + " a dead letter, not a jump of the watermark (ISO-8601).")
  @Default.String("P1D")
  String getMaxAhead();

  void setMaxAhead(String value);

  @Description("Predictions topic; default <useCase>.predictions.")
  String getPredictionsTopic();

  void setPredictionsTopic(String value);

  @Description("Feedback topic; default <useCase>.feedback.")
  String getFeedbackTopic();

  void setFeedbackTopic(String value);

  @Description("Topic the metric windows go to; default <useCase>.metrics.")
  String getMetricsTopic();

  void setMetricsTopic(String value);

  @Description("Kafka consumer group of both reads; default mlops-metrics-<useCase>-<task>.")
  String getConsumerGroup();

  void setConsumerGroup(String value);

  @Description(
      "Where the consumer group starts: committed (its committed offsets; the earliest when it has"
          + " none) or latest (first moves the group to the end of both topics: only what is sent"
          + " from now on).")
  @Default.Enum("committed")
  org.beammlops.pipelines.score.ScoreOptions.StartAt getStartAt();

  void setStartAt(org.beammlops.pipelines.score.ScoreOptions.StartAt value);

  @Description("Stop after this many prediction messages (0 = run until stopped): a bounded run.")
  @Default.Long(0)
  long getMaxPredictions();

  void setMaxPredictions(long value);

  @Description("Stop after this many feedback messages (0 = run until stopped): a bounded run.")
  @Default.Long(0)
  long getMaxFeedback();

  void setMaxFeedback(long value);

  @Description(
      "Also emit windows of the performance expected from the predictions alone, before labels"
          + " (confidence-based estimation, kind estimated, metrics estimated_*), for"
          + " classification tasks.")
  @Default.Boolean(true)
  boolean getEstimatePerformance();

  void setEstimatePerformance(boolean value);

  @Description(
      "Also test each window of the scored requests (features and predictions) for drift against"
          + " its model version's reference profile (kind drift, metrics drift_*).")
  @Default.Boolean(true)
  boolean getStreamingDrift();

  void setStreamingDrift(boolean value);

  @Description("Log each ON_TIME and LATE window to a monitoring run per model version.")
  @Default.Boolean(true)
  boolean getTrackMetrics();

  void setTrackMetrics(boolean value);

  @Description(
      "Experiment of the monitoring runs; default the registered model's name, as training uses.")
  String getExperiment();

  void setExperiment(String value);

  @Description(
      "Dead-letter a prediction whose model version the registry does not hold (looked up on the"
          + " tracking server, again at most every --modelVersionRefreshSeconds on a miss; kept and"
          + " counted as unverifiedModelVersions while the server cannot be reached).")
  @Default.Boolean(true)
  boolean getCheckModelVersions();

  void setCheckModelVersions(boolean value);

  @Description("Least seconds between two registry lookups of one model after a miss.")
  @Default.Long(10)
  long getModelVersionRefreshSeconds();

  void setModelVersionRefreshSeconds(long value);

  @Description(
      "Write each scored request whose feedback arrives as a labelled record (features + raw"
          + " labels, ingest_source feedback:<topic>-<partition>) to the lake's events, so new truth"
          + " becomes training data. Default: only the job of the use case's first task, so that"
          + " two tasks' jobs do not write each request twice.")
  Boolean getWriteLabelledRecords();

  void setWriteLabelledRecords(Boolean value);

  @Description("Seconds between metric-window file commits to the lake.")
  @Default.Integer(30)
  int getCommitIntervalSeconds();

  void setCommitIntervalSeconds(int value);
}
