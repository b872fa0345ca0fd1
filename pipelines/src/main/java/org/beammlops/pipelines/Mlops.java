package org.beammlops.pipelines;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.beammlops.pipelines.batch.BatchPredictCommand;
import org.beammlops.pipelines.batch.BatchPredictOptions;
import org.beammlops.pipelines.common.Commands;
import org.beammlops.pipelines.common.OptionPresets;
import org.beammlops.pipelines.drift.DriftCommand;
import org.beammlops.pipelines.drift.DriftOptions;
import org.beammlops.pipelines.ingest.IngestOptions;
import org.beammlops.pipelines.ingest.IngestPipeline;
import org.beammlops.pipelines.metrics.FeedbackMetricsCommand;
import org.beammlops.pipelines.metrics.FeedbackMetricsOptions;
import org.beammlops.pipelines.monitor.MonitorCommand;
import org.beammlops.pipelines.monitor.MonitorOptions;
import org.beammlops.pipelines.replay.ReplayOptions;
import org.beammlops.pipelines.replay.ReplayPipeline;
import org.beammlops.pipelines.score.ScoreCommand;
import org.beammlops.pipelines.score.ScoreOptions;
import org.beammlops.pipelines.score.ScoreSummary;
import org.beammlops.pipelines.score.ScoreSummaryOptions;
import org.beammlops.pipelines.train.TrainOptions;
import org.beammlops.pipelines.train.TrainPipeline;
import org.beammlops.pipelines.usecase.UseCaseCommand;

/**
 * The {@code mlops} command: dispatches to the pipelines. Runner presets (defaults that differ per
 * runner) come from the caller, so this module stays free of runner-specific code.
 */
public final class Mlops {

  /** One pipeline command: its one-line description, options and entry point. */
  private record Command(String summary, Class<? extends PipelineOptions> options, Runner runner) {}

  private interface Runner {
    int run(String[] args, OptionPresets presets);
  }

  private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

  static {
    COMMANDS.put(
        "ingest",
        new Command(
            "files or a Kafka topic -> validated, de-duplicated Parquet lake (dead letters kept)",
            IngestOptions.class,
            (args, presets) ->
                Commands.runPipelineForExitCode(
                    args, IngestOptions.class, presets, IngestPipeline::run)));
    COMMANDS.put(
        "replay",
        new Command(
            "publish a data set to <uc>.requests in event-time order, labels later to <uc>.feedback",
            ReplayOptions.class,
            (args, presets) ->
                Commands.runPipelineForExitCode(
                    args, ReplayOptions.class, presets, ReplayPipeline::run)));
    COMMANDS.put(
        "train",
        new Command(
            "lake -> cross-validated, stacked model as one ONNX graph -> tracked, registered, gated",
            TrainOptions.class,
            (args, presets) ->
                Commands.runPipelineForExitCode(
                    args, TrainOptions.class, presets, TrainPipeline::run)));
    COMMANDS.put(
        "score",
        new Command(
            "<uc>.requests -> RunInference (follows the champion) -> <uc>.predictions + lake log",
            ScoreOptions.class,
            (args, presets) ->
                Commands.runPipelineForExitCode(
                    args, ScoreOptions.class, presets, ScoreCommand::run)));
    COMMANDS.put(
        "metrics",
        new Command(
            "<uc>.predictions + <uc>.feedback -> join by request id -> live metrics per model"
                + "\n                 version in event-time windows -> <uc>.metrics, lake, tracking",
            FeedbackMetricsOptions.class,
            (args, presets) ->
                Commands.runPipelineForExitCode(
                    args, FeedbackMetricsOptions.class, presets, FeedbackMetricsCommand::run)));
    COMMANDS.put(
        "drift",
        new Command(
            "a range of the prediction log (or lake, or files) against the model's training"
                + "\n                 profile -> per-feature drift tests, HTML report, tracking, alert",
            DriftOptions.class,
            (args, presets) ->
                Commands.runPipelineForExitCode(
                    args, DriftOptions.class, presets, DriftCommand::run)));
    COMMANDS.put(
        "monitor",
        new Command(
            "serve <uc>'s dashboard (/) and Prometheus endpoint (/metrics) from its metrics,"
                + "\n                 alerts, predictions and dead-letter topics and the registry",
            MonitorOptions.class,
            (args, presets) ->
                Commands.runPipelineForExitCode(
                    args, MonitorOptions.class, OptionPresets.NONE, MonitorCommand::run)));
    COMMANDS.put(
        "score-summary",
        new Command(
            "a score run's prediction log + dead letters in the lake -> scored per model version,"
                + "\n                 latency p50/p90/p99, dead letters by reason",
            ScoreSummaryOptions.class,
            (args, presets) ->
                Commands.runPipelineForExitCode(
                    args, ScoreSummaryOptions.class, OptionPresets.NONE, ScoreSummary::run)));
    COMMANDS.put(
        "batch-predict",
        new Command(
            "--config=job.yaml: files or a bounded topic read -> RunInference -> files or a topic",
            BatchPredictOptions.class,
            (args, presets) ->
                Commands.runPipelineForExitCode(
                    args, BatchPredictOptions.class, presets, BatchPredictCommand::run)));
  }

  /** Commands that are not pipelines: no Beam options. */
  private static final Map<String, String> TOOLS = new LinkedHashMap<>();

  static {
    TOOLS.put(
        "usecase",
        "check <dir|name>: every problem of a schema + config at once, or what each field"
            + "\n                 becomes (role, kind, source names, tasks); list: the known use cases");
  }

  private Mlops() {}

  /** Runs a command with the given runner presets and returns its exit code. */
  public static int run(String[] args, OptionPresets presets) {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
      printHelp();
      return 0;
    }
    if (args[0].equals("usecase")) {
      return UseCaseCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err);
    }
    Command command = COMMANDS.get(args[0]);
    if (command == null) {
      System.err.println("error: unknown command '" + args[0] + "'; see ./mlops help");
      return Commands.USAGE_ERROR;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    if (command.options() != null && Arrays.asList(rest).contains("--help")) {
      PipelineOptionsFactory.printHelp(System.out, command.options());
      return 0;
    }
    return command.runner().run(rest, presets);
  }

  /** One line per pipeline command, for {@code ./mlops help}. */
  public static void printHelp() {
    COMMANDS.forEach((name, command) -> System.out.printf("  %-14s %s%n", name, command.summary()));
    TOOLS.forEach((name, summary) -> System.out.printf("  %-14s %s%n", name, summary));
  }

  public static void main(String[] args) {
    System.exit(run(args, OptionPresets.NONE));
  }
}
