package org.beammlops.benchmarks;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.beammlops.pipelines.common.Commands;
import org.beammlops.pipelines.common.OptionPresets;
import org.beammlops.pipelines.score.ScoreOptions;
import org.beammlops.pipelines.score.ScorePipeline;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.inference.ModelRef;
import org.beammlops.transforms.tracking.TrackingSettings;

/**
 * The score pipeline itself — the same {@link ScorePipeline#build} that {@code ./mlops score} runs
 * — started without blocking on one runner and cancelled once measured. The DirectRunner streams an
 * unlimited read ({@code --blockOnRun=false}; a limited one it would read to the end before scoring
 * anything), FlinkRunner runs detached ({@code --streaming=true --attachedMode=false}), so that
 * {@code run()} returns a handle to cancel.
 */
final class PipelineContender implements Contender {
  private final PipelineResult result;

  private PipelineContender(PipelineResult result) {
    this.result = result;
  }

  /** The arguments that make {@code runner} ("direct" or "flink") run the pipeline unbounded. */
  static List<String> runnerArgs(String runner) {
    return switch (runner) {
      case "direct" -> List.of("--runner=DirectRunner", "--blockOnRun=false");
      case "flink" -> List.of("--runner=FlinkRunner", "--streaming=true", "--attachedMode=false");
      default -> throw new IllegalArgumentException("unknown runner " + runner);
    };
  }

  /**
   * Starts the pipeline on {@code topics}, with the user's pipeline options, the pinned model and
   * no registry polling (the bench compares one model version), in a lake of its own.
   */
  static Contender start(
      String runner,
      List<String> userArgs,
      OptionPresets presets,
      UseCase useCase,
      Task task,
      TrackingSettings tracking,
      ModelRef model,
      String lake,
      BenchTopics topics) {
    List<String> args = new ArrayList<>(userArgs);
    args.addAll(runnerArgs(runner));
    args.add("--requestsTopic=" + topics.requests());
    args.add("--predictionsTopic=" + topics.predictions());
    args.add("--consumerGroup=bench-" + runner + "-" + UUID.randomUUID());
    args.add("--model=" + model.location());
    args.add("--pollIntervalSeconds=0");
    args.add("--lake=" + lake);
    ScoreOptions options =
        Commands.parse(args.toArray(String[]::new), ScoreBenchOptions.class, presets);
    Pipeline pipeline = ScorePipeline.build(options, useCase, task, tracking, model);
    return new PipelineContender(pipeline.run());
  }

  @Override
  public void check() {
    PipelineResult.State state = result.getState();
    if (state != null && state.isTerminal()) {
      throw new IllegalStateException("the pipeline ended in state " + state);
    }
  }

  @Override
  public void close() {
    try {
      result.cancel();
      result.waitUntilFinish(org.joda.time.Duration.standardSeconds(30));
    } catch (IOException | RuntimeException e) {
      // Flink [local] shuts its mini cluster down on cancel; a later wait can only fail.
      if (System.getenv("MLOPS_DEBUG") != null) {
        e.printStackTrace();
      }
    }
  }
}
