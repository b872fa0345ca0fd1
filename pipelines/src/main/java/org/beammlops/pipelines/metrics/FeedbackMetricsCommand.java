package org.beammlops.pipelines.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.Pipeline;
import org.beammlops.pipelines.common.AlertOptions;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.alerts.EvaluateAlerts;
import org.beammlops.transforms.feedback.JoinFeedback;
import org.beammlops.transforms.feedback.LiveMetricNames;
import org.beammlops.transforms.feedback.ParseJoinInputs;
import org.beammlops.transforms.feedback.WindowedMetrics;
import org.beammlops.transforms.lake.GenericRecords;
import org.beammlops.transforms.lake.Lake;
import org.beammlops.transforms.lake.ParquetFiles;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.beammlops.transforms.tracking.TrackingSettings;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * {@code ./mlops metrics} as a command: the launcher's work around {@link
 * FeedbackMetricsPipeline}'s graph. It checks the durations before anything runs, learns from the
 * lake which windows a previous run already emitted ON_TIME (a restarted job skips them, so a pair
 * it reads again is not counted twice in a window already reported), then runs the job bounded, for
 * {@code --runSeconds}, or until it has gone idle, and reports its counters.
 */
public final class FeedbackMetricsCommand {
  static final String[] COUNTERS = {
    ParseJoinInputs.PREDICTIONS_READ,
    ParseJoinInputs.FEEDBACK_READ,
    ParseJoinInputs.UNVERIFIED_VERSION,
    JoinFeedback.PREDICTIONS,
    JoinFeedback.MATCHED,
    JoinFeedback.UNMATCHED,
    JoinFeedback.ORPHANS,
    JoinFeedback.DUPLICATE_FEEDBACK,
    JoinFeedback.DUPLICATE_PREDICTIONS,
    PipelineCounters.DEAD_LETTER,
    PipelineCounters.DROPPED_LATE,
    WindowedMetrics.METRIC_WINDOWS,
    WindowedMetrics.SKIPPED_EMITTED,
    org.beammlops.transforms.drift.WindowedDrift.DRIFT_WINDOWS,
    org.beammlops.transforms.drift.WindowedDrift.WITHOUT_REFERENCE,
    EvaluateAlerts.ALERTS,
    org.beammlops.transforms.feedback.LabelledRecords.WRITTEN,
    org.beammlops.transforms.feedback.LabelledRecords.WITHOUT_RAW_LABEL,
    org.beammlops.transforms.feedback.LabelledRecords.REJECTED
  };

  private FeedbackMetricsCommand() {}

  /** Runs the metrics job as {@code options} say and returns its counters. */
  public static Map<String, Object> run(FeedbackMetricsOptions options) {
    UseCase useCase = UseCases.loadOrDefault(options.getUseCase());
    Task task = useCase.task(options.getTask());
    if (options.getStartAt() == org.beammlops.pipelines.score.ScoreOptions.StartAt.latest) {
      String group = FeedbackMetricsPipeline.consumerGroup(options, useCase, task);
      long skipped = 0;
      for (String topic :
          List.of(
              FeedbackMetricsPipeline.predictionsTopic(options, useCase),
              FeedbackMetricsPipeline.feedbackTopic(options, useCase))) {
        skipped +=
            new org.beammlops.pipelines.score.GroupOffsets(
                    options.getBootstrapServers(), topic, group)
                .moveToEnd();
      }
      PipelineReports.progress("metrics: skipped " + skipped + " messages already on the topics");
    }
    FeedbackMetricsPipeline.Settings settings = settings(options, useCase, task);
    TrackingSettings tracking =
        options.getTrackMetrics() || options.getCheckModelVersions()
            ? TrackingSettings.fromOptions(options)
            : null;
    PipelineReports.progress(
        "metrics: "
            + FeedbackMetricsPipeline.predictionsTopic(options, useCase)
            + " + "
            + FeedbackMetricsPipeline.feedbackTopic(options, useCase)
            + " -> "
            + FeedbackMetricsPipeline.metricsTopic(options, useCase)
            + ", windows of "
            + settings.window()
            + " every "
            + settings.period()
            + ", feedback TTL "
            + settings.ttl()
            + (settings.skipWindowsEndingBy() == null
                ? ""
                : ", resuming after the windows emitted up to " + settings.skipWindowsEndingBy()));
    Pipeline pipeline = FeedbackMetricsPipeline.build(options, useCase, task, tracking, settings);
    Map<String, Object> report = new LinkedHashMap<>();
    if (options.getStopWhenIdleSeconds() > 0) {
      report.putAll(
          PipelineReports.runUntilIdle(
              pipeline,
              options.getStopWhenIdleSeconds(),
              options.getRunSeconds(),
              counters -> true,
              COUNTERS));
    } else if (options.getRunSeconds() > 0) {
      report.putAll(PipelineReports.runFor(pipeline, options.getRunSeconds(), COUNTERS));
    } else {
      report.putAll(PipelineReports.runToCompletion(pipeline, COUNTERS));
    }
    if (settings.skipWindowsEndingBy() != null) {
      report.put("resumedAfter", settings.skipWindowsEndingBy().toString());
    }
    return report;
  }

  /** The durations of the options, checked, and where a restart resumes. */
  static FeedbackMetricsPipeline.Settings settings(
      FeedbackMetricsOptions options, UseCase useCase, Task task) {
    Duration window = duration("--window", options.getWindow(), false);
    Duration period = duration("--period", options.getPeriod(), false);
    if (period.isLongerThan(window)) {
      throw new IllegalArgumentException(
          "--period="
              + options.getPeriod()
              + " is longer than --window="
              + options.getWindow()
              + ": pairs between two windows would be in none");
    }
    if (options.getEarlyFiringSeconds() < 0) {
      throw new IllegalArgumentException(
          "--earlyFiringSeconds must be >= 0, not " + options.getEarlyFiringSeconds());
    }
    Duration ttl =
        options.getFeedbackTtl() == null
            ? Duration.millis(useCase.feedbackTtl().toMillis())
            : duration("--feedbackTtl", options.getFeedbackTtl(), false);
    return new FeedbackMetricsPipeline.Settings(
        ttl,
        window,
        period,
        Duration.standardSeconds(options.getEarlyFiringSeconds()),
        duration("--allowedLateness", options.getAllowedLateness(), true),
        duration("--maxOutOfOrder", options.getMaxOutOfOrder(), true),
        duration("--maxAhead", options.getMaxAhead(), false),
        lastOnTimeWindowEnd(
            Lake.at(options.getLake(), useCase.name()), task, WindowedMetrics.REALIZED),
        lastOnTimeWindowEnd(
            Lake.at(options.getLake(), useCase.name()), task, WindowedMetrics.ESTIMATED),
        lastOnTimeWindowEnd(
            Lake.at(options.getLake(), useCase.name()), task, WindowedMetrics.DRIFT),
        LiveMetricNames.rulesOf(useCase, task),
        AlertOptions.delivery(options));
  }

  /**
   * The end of the latest window of {@code kind} (realized or estimated; windows written before
   * kinds existed are realized) the lake says was emitted ON_TIME for {@code task}, or null when
   * none was: a restarted job skips the windows ending by then.
   */
  static Instant lastOnTimeWindowEnd(Lake lake, Task task, String kind) {
    String glob = lake.metricsDir() + "/date=*/*.parquet";
    if (ParquetFiles.match(glob).isEmpty()) {
      return null;
    }
    AtomicLong latest = new AtomicLong(Long.MIN_VALUE);
    ParquetFiles.forEachRecord(
        glob,
        r -> {
          Object windowKind = r.getSchema().getField("kind") == null ? null : r.get("kind");
          String of = windowKind == null ? WindowedMetrics.REALIZED : windowKind.toString();
          if (task.name().equals(r.get("task").toString())
              && "ON_TIME".equals(r.get("timing").toString())
              && kind.equals(of)) {
            latest.accumulateAndGet(GenericRecords.millis(r.get("windowEnd")), Math::max);
          }
        });
    return latest.get() == Long.MIN_VALUE ? null : new Instant(latest.get());
  }

  private static Duration duration(String option, String text, boolean zeroAllowed) {
    java.time.Duration parsed;
    try {
      parsed = java.time.Duration.parse(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          option + "=" + text + " is not an ISO-8601 duration such as PT1H or PT10M");
    }
    if (parsed.isNegative() || (!zeroAllowed && parsed.isZero())) {
      throw new IllegalArgumentException(
          option + "=" + text + " must be " + (zeroAllowed ? "zero or more" : "positive"));
    }
    return Duration.millis(parsed.toMillis());
  }
}
