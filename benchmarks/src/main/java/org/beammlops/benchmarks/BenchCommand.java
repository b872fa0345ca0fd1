package org.beammlops.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.beammlops.pipelines.common.Commands;
import org.beammlops.pipelines.common.OptionPresets;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.pipelines.ingest.IngestOptions;
import org.beammlops.pipelines.ingest.IngestPipeline;
import org.beammlops.pipelines.train.TrainOptions;
import org.beammlops.pipelines.train.TrainPipeline;
import org.beammlops.runners.Logging;
import org.beammlops.runners.RunnerPresets;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.tracking.TrackingSettings;

/**
 * The benchmarks:
 *
 * <ul>
 *   <li>{@code ./mlops bench ingest --input=<parquet>}: ingest the same file three ways in one run
 *       — plain single-threaded Java, the ingest pipeline on DirectRunner, and on FlinkRunner
 *       {@code [local]} — and print rows per second side by side, each into a fresh lake.
 *   <li>{@code ./mlops bench train --input=<parquet>}: one full training ({@link
 *       TrainPipeline#trainOnce}) with the split that suits the whole flights file, and where its
 *       time goes: wall seconds per stage and in total beside the learners' own fit seconds, with
 *       the rows and the holdout metrics of the stack, each base learner and the naive baseline.
 * </ul>
 */
public final class BenchCommand {
  private static final String USAGE =
      "usage: ./mlops bench ingest --input=<parquet> [--useCase=flights] [--runners=plain,direct,flink]\n"
          + "       ./mlops bench train --input=<parquet> [--task=delay15] [--runner=DirectRunner|FlinkRunner]"
          + " [any ./mlops train option]\n"
          + "       ./mlops bench score [--runners=plain,direct,flink] [--model=models:/flights-delay15@champion]"
          + " [--maxBatchSize=256] [--requests=N] [--maxSeconds=40] [--rate=5000] [--rateSeconds=20]"
          + " [--input=data/flights-sample.parquet] [any ./mlops score option]\n"
          + "       ./mlops bench prepare [--input=data/flights-sample.parquet] [--dailyRows=10000]"
          + " [--dailyDays=3650] [--runner=DirectRunner|FlinkRunner]\n"
          + "       ./mlops bench metrics [--runners=plain,direct,flink] [--requests=100000]"
          + " [any ./mlops metrics option]\n"
          + "       ./mlops bench drift --input=<parquet> [--runners=plain,direct,flink]"
          + " [--referenceFrom=2001-01-01 --referenceTo=2001-01-31] [--from=2001-02-01 --to=2001-06-30]";

  /**
   * What {@code bench train} passes unless the user gives the option: the flights file spans
   * January to June 2001, so train on January–April and hold out May (June is what the demo replays
   * as live traffic), registered like a real training so that the registry gate is timed too.
   */
  static final List<String> TRAIN_DEFAULTS =
      List.of(
          "--task=delay15",
          "--from=2001-01-01",
          "--to=2001-05-31",
          "--holdoutFrom=2001-05-01",
          "--register=true");

  private BenchCommand() {}

  /** {@code ./mlops bench ...}: the benchmarks with the presets {@code ./mlops} runs with. */
  public static void main(String[] args) {
    Logging logging;
    try {
      logging = Logging.setUp("bench", args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(Commands.USAGE_ERROR);
      return;
    }
    System.exit(run(logging.args(), new RunnerPresets()));
  }

  /** Runs {@code ingest}, {@code train} or {@code score} and returns the exit code. */
  public static int run(String[] args, OptionPresets presets) {
    if (args.length == 0
        || !List.of("ingest", "train", "score", "prepare", "metrics", "drift").contains(args[0])) {
      System.err.println(USAGE);
      return Commands.USAGE_ERROR;
    }
    List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
    if (rest.contains("--help")) {
      System.out.println(USAGE);
      PipelineOptionsFactory.printHelp(
          System.out,
          switch (args[0]) {
            case "train" -> TrainOptions.class;
            case "score" -> ScoreBenchOptions.class;
            case "metrics" -> org.beammlops.pipelines.metrics.FeedbackMetricsOptions.class;
            case "drift" -> org.beammlops.pipelines.drift.DriftOptions.class;
            default -> IngestOptions.class;
          });
      return 0;
    }
    try {
      if (args[0].equals("train")) {
        return benchTrain(rest, presets);
      }
      if (args[0].equals("score")) {
        return ScoreBench.run(rest, presets);
      }
      if (args[0].equals("metrics")) {
        return MetricsBench.run(rest, presets);
      }
      if (args[0].equals("drift")) {
        return DriftBench.run(rest, presets);
      }
      if (args[0].equals("prepare")) {
        return PrepareBench.run(rest, presets);
      }
      String runners = "plain,direct,flink";
      for (String arg : List.copyOf(rest)) {
        if (arg.startsWith("--runners=")) {
          runners = arg.substring("--runners=".length());
          rest.remove(arg);
        }
      }
      return benchIngest(rest, List.of(runners.split(",")), presets);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return Commands.USAGE_ERROR;
    } catch (Exception e) {
      System.err.println("error: " + e);
      if (System.getenv("MLOPS_DEBUG") != null) {
        e.printStackTrace();
      }
      return 1;
    }
  }

  private static int benchIngest(List<String> args, List<String> runners, OptionPresets presets)
      throws IOException {
    IngestOptions base =
        PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).as(IngestOptions.class);
    if (base.getInput() == null) {
      throw new IllegalArgumentException("--input=<parquet file> is required");
    }
    Commands.checkInputMatches(base.getInput());
    Path work = Files.createTempDirectory("mlops-bench-");
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("input", base.getInput());
    Long rows = null;
    if (runners.contains("plain")) {
      PipelineReports.progress("bench: plain Java read -> validate -> write ...");
      long start = System.nanoTime();
      long[] counts =
          PlainJavaIngest.run(
              UseCases.loadOrDefault(base.getUseCase()),
              base.getInput(),
              work.resolve("plain").toString());
      double seconds = (System.nanoTime() - start) / 1e9;
      rows = counts[0] + counts[1];
      record(report, "plainJava", rows, seconds);
    }
    for (String runner : List.of("direct", "flink")) {
      if (!runners.contains(runner)) {
        continue;
      }
      List<String> runArgs = new ArrayList<>(args);
      runArgs.add("--runner=" + (runner.equals("direct") ? "DirectRunner" : "FlinkRunner"));
      runArgs.add("--lake=" + work.resolve(runner));
      String[] runnerArgs = runArgs.toArray(String[]::new);
      PipelineReports.progress("bench: ingest on " + runner + " " + String.join(" ", runnerArgs));
      IngestOptions options = Commands.parse(runnerArgs, IngestOptions.class, presets);
      long start = System.nanoTime();
      Map<String, Object> counters = IngestPipeline.run(options);
      double seconds = (System.nanoTime() - start) / 1e9;
      long read = ((Number) counters.get("read")).longValue();
      rows = rows == null ? read : rows;
      record(report, runner + "Runner", read, seconds);
    }
    report.put("rows", rows);
    PipelineReports.progress(table(report));
    PipelineReports.print(report);
    return 0;
  }

  private static int benchTrain(List<String> args, OptionPresets presets) throws IOException {
    List<String> runArgs = new ArrayList<>(args);
    for (String option : TRAIN_DEFAULTS) {
      addIfAbsent(runArgs, option);
    }
    TrainOptions options =
        Commands.parse(runArgs.toArray(String[]::new), TrainOptions.class, presets);
    if (options.getInput() == null) {
      throw new IllegalArgumentException("--input=<parquet file> is required");
    }
    FileSystems.setDefaultPipelineOptions(options);
    Commands.checkInputMatches(options.getInput());
    checkTrackingServer(TrackingSettings.fromOptions(options).trackingUri());
    if (runArgs.stream().noneMatch(a -> a.startsWith("--lake="))) {
      // Like bench ingest: a fresh lake, so the training data of a bench run is its own.
      options.setLake(Files.createTempDirectory("mlops-bench-train-").toString());
    }
    PipelineReports.progress(
        "bench: train " + String.join(" ", runArgs) + " (lake " + options.getLake() + ")");
    Map<String, Object> train = TrainPipeline.trainOnce(options);

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("input", options.getInput());
    report.put("task", options.getTask());
    report.put("runner", options.getRunner().getSimpleName());
    report.put("runId", train.get("runId"));
    report.put("lake", options.getLake());
    Map<?, ?> counts = (Map<?, ?>) train.get("rows");
    Map<String, Object> rows = new LinkedHashMap<>();
    rows.put("train", counts.get("trainRows"));
    rows.put("holdout", counts.get("holdoutRows"));
    rows.put("read", counts.get("read"));
    rows.put("labelled", counts.get("labelled"));
    report.put("rows", rows);
    report.put("stageSeconds", train.get("stageSeconds"));
    report.put("totalSeconds", train.get("totalSeconds"));
    double total = ((Number) train.get("totalSeconds")).doubleValue();
    double fitSum = ((Number) train.get("learnerFitSecondsSum")).doubleValue();
    report.put("learnerFitSecondsSum", fitSum);
    report.put("totalOverFitSum", fitSum > 0 ? Math.round(total / fitSum * 100) / 100.0 : null);
    report.put("holdout", train.get("holdout"));
    report.put("model", train.get("model"));
    PipelineReports.progress(trainTable(report));
    PipelineReports.print(report);
    return 0;
  }

  /**
   * Fails before any work when no tracking server answers: a training only logs and registers
   * through one, and the bench starts nothing itself. Any HTTP answer counts (a server behind
   * authentication answers too); only no answer at all fails.
   */
  static void checkTrackingServer(String uri) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(uri + "/health")).timeout(Duration.ofSeconds(5)).build();
    try {
      client.send(request, HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "no tracking server answers at "
              + uri
              + " ("
              + e
              + "); start the local one with ./mlops local up tracking, or point"
              + " MLFLOW_TRACKING_URI or --trackingUri at a running MLflow server");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while looking for the tracking server", e);
    }
  }

  /** Adds {@code --name=value} unless the user gave {@code --name} in any form. */
  private static void addIfAbsent(List<String> args, String option) {
    String name = option.substring(0, option.indexOf('='));
    if (args.stream().noneMatch(a -> a.equals(name) || a.startsWith(name + "="))) {
      args.add(option);
    }
  }

  private static void record(Map<String, Object> report, String name, long rows, double seconds) {
    report.put(name + "Seconds", Math.round(seconds * 100) / 100.0);
    report.put(name + "RowsPerSec", Math.round(rows / seconds));
    PipelineReports.progress(
        String.format(
            "bench: %s %d rows in %.1f s = %d rows/s",
            name, rows, seconds, Math.round(rows / seconds)));
  }

  private static String table(Map<String, Object> report) {
    StringBuilder out = new StringBuilder("\nbench ingest of " + report.get("input") + "\n");
    for (String name : List.of("plainJava", "directRunner", "flinkRunner")) {
      if (report.containsKey(name + "RowsPerSec")) {
        out.append(
            String.format(
                "  %-14s %10s rows/s  %8s s%n",
                name, report.get(name + "RowsPerSec"), report.get(name + "Seconds")));
      }
    }
    return out.toString();
  }

  @SuppressWarnings("unchecked")
  private static String trainTable(Map<String, Object> report) {
    Map<String, Object> rows = (Map<String, Object>) report.get("rows");
    StringBuilder out =
        new StringBuilder(
            String.format(
                "%nbench train of %s (task %s, %s, run %s)%n  rows: %s train, %s holdout%n",
                report.get("input"),
                report.get("task"),
                report.get("runner"),
                report.get("runId"),
                rows.get("train"),
                rows.get("holdout")));
    out.append(String.format("  %-16s %10s%n", "stage", "wall s"));
    ((Map<String, Object>) report.get("stageSeconds"))
        .forEach((stage, seconds) -> out.append(String.format("  %-16s %10s%n", stage, seconds)));
    out.append(String.format("  %-16s %10s%n", "total", report.get("totalSeconds")));
    out.append(
        String.format(
            "  learners' own fit seconds, summed over every fit: %s (total / fit-sum = %s)%n",
            report.get("learnerFitSecondsSum"), report.get("totalOverFitSum")));
    Map<String, Object> holdout = (Map<String, Object>) report.get("holdout");
    Map<String, Double> baseline = (Map<String, Double>) holdout.get("baseline");
    List<String> metrics = new ArrayList<>(baseline.keySet());
    metrics.remove("count");
    out.append(
        String.format("  holdout (models compared on %s)%n  %-10s", holdout.get("metric"), ""));
    metrics.forEach(m -> out.append(String.format(" %13s", m)));
    out.append(String.format("%n"));
    Map<String, Map<String, Double>> lines = new LinkedHashMap<>();
    lines.put("stack", (Map<String, Double>) holdout.get("stack"));
    lines.putAll((Map<String, Map<String, Double>>) holdout.get("bases"));
    lines.put("baseline", baseline);
    lines.forEach(
        (name, values) -> {
          out.append(String.format("  %-10s", name));
          metrics.forEach(m -> out.append(String.format(" %13.6f", values.get(m))));
          out.append(String.format("%n"));
        });
    Map<String, Object> model = (Map<String, Object>) report.get("model");
    out.append(
        String.format(
            "  model: %s version %s, alias %s (%s)%n",
            model.get("registeredModel"),
            model.get("version"),
            model.get("alias"),
            model.get("reason")));
    return out.toString();
  }
}
