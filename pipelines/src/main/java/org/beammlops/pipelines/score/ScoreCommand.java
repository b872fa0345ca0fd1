package org.beammlops.pipelines.score;

import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.kafka.common.TopicPartition;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.inference.ModelRef;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.beammlops.transforms.serving.ScoreRecords;
import org.beammlops.transforms.serving.StartupModel;
import org.beammlops.transforms.tracking.TrackingSettings;

/**
 * {@code ./mlops score} as a command: the launcher's work around {@link ScorePipeline}'s graph. It
 * checks the options and the starting model before anything runs, moves the consumer group to the
 * end of the topic for {@code --startAt=latest}, runs the job until it is cancelled, for {@code
 * --runSeconds} or until it has gone idle, and reports its counters.
 */
public final class ScoreCommand {
  static final String[] COUNTERS = {
    PipelineCounters.READ,
    PipelineCounters.VALID,
    PipelineCounters.DEAD_LETTER,
    "inferences",
    ScoreRecords.PREDICTIONS
  };

  private ScoreCommand() {}

  /** Runs the score job as {@code options} say and returns its counters. */
  public static Map<String, Object> run(ScoreOptions options) {
    Launch launch = Launch.of(options);
    GroupOffsets offsets =
        new GroupOffsets(
            options.getBootstrapServers(),
            ScorePipeline.requestsTopic(options, launch.useCase),
            ScorePipeline.consumerGroup(options, launch.useCase, launch.task));
    if (options.getStartAt() == ScoreOptions.StartAt.latest) {
      long skipped = offsets.moveToEnd();
      PipelineReports.progress("score: skipped " + skipped + " requests already on the topic");
    }
    Pipeline pipeline = launch.pipeline(options);
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
    return Launch.of(options).pipeline(options).run();
  }

  /** Cancels a job from {@link #start} and returns its counters. */
  public static Map<String, Object> stop(PipelineResult job) {
    return PipelineReports.stop(job, COUNTERS);
  }

  /**
   * True when every valid request read so far has an outcome: a prediction, an inference failure (a
   * dead letter) or a duplicate of a request already scored.
   */
  static boolean everyReadRequestHandled(Map<String, Long> counters) {
    long handled =
        counters.getOrDefault(ScoreRecords.PREDICTIONS, 0L)
            + counters.getOrDefault("inferenceFailures", 0L)
            + counters.getOrDefault(PipelineCounters.DUPLICATES, 0L);
    return handled >= counters.getOrDefault(PipelineCounters.VALID, 0L);
  }

  /** Bad values of the stop options, before anything runs. */
  static void checkStop(ScoreOptions options) {
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
  }

  /** The use case, task and starting model of one launch, each resolved once. */
  private record Launch(UseCase useCase, Task task) {
    static Launch of(ScoreOptions options) {
      checkStop(options);
      String useCaseName = options.getUseCase();
      String taskName = options.getTask();
      if (options.getModel() != null) {
        // the model knows what it was trained for: what is not given is taken from it
        StartupModel.Identity model =
            StartupModel.identify(
                TrackingSettings.fromOptions(options), options.getModel(), "--model");
        useCaseName = StartupModel.agree("--useCase", useCaseName, model.useCase(), model);
        taskName = StartupModel.agree("--task", taskName, model.task(), model);
      }
      UseCase useCase = UseCases.loadOrDefault(useCaseName);
      if (taskName == null) {
        throw new IllegalArgumentException(
            "--task is required (one of "
                + useCase.tasks().stream().map(Task::name).toList()
                + "), unless --model names a model, which knows its task");
      }
      return new Launch(useCase, useCase.task(taskName));
    }

    Pipeline pipeline(ScoreOptions options) {
      String modelUri = ScorePipeline.modelUri(options, useCase, task);
      TrackingSettings tracking = TrackingSettings.fromOptions(options);
      // Fails here, before anything runs, for a model that does not exist or cannot be served, or
      // a tracking server that does not answer.
      ModelRef initial =
          StartupModel.resolveAndCheck(useCase.name(), tracking, modelUri, "--model");
      PipelineReports.progress(
          "score: "
              + ScorePipeline.requestsTopic(options, useCase)
              + " -> "
              + ScorePipeline.predictionsTopic(options, useCase)
              + " with "
              + initial.id()
              + " ("
              + modelUri
              + ")");
      return ScorePipeline.build(options, useCase, task, tracking, initial);
    }
  }
}
