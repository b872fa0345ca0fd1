package org.beammlops.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.FileSystems;
import org.beammlops.pipelines.common.Commands;
import org.beammlops.pipelines.common.OptionPresets;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.pipelines.ingest.IngestOptions;
import org.beammlops.pipelines.ingest.IngestPipeline;
import org.beammlops.pipelines.testing.UseCaseData;
import org.beammlops.pipelines.train.TrainOptions;
import org.beammlops.pipelines.train.TrainPipeline;

/**
 * {@code ./mlops bench prepare}: the training's prepare stage (read the lake, split, export, fit
 * the feature spec, profile) on the flights sample and, in the same run, on a generated daily data
 * set of the loans test use case (one row a day over ten years by default), each ingested into a
 * fresh lake first. Prints seconds and milliseconds per row of each, and their ratio: daily data
 * must not cost more per row than the flights sample.
 */
final class PrepareBench {
  private PrepareBench() {}

  static int run(List<String> args, OptionPresets presets) throws IOException {
    String sample = "data/flights-sample.parquet";
    int dailyRows = 10_000;
    int dailyDays = 3_650;
    List<String> beamArgs = new ArrayList<>();
    for (String arg : args) {
      if (arg.startsWith("--input=")) {
        sample = arg.substring("--input=".length());
      } else if (arg.startsWith("--dailyRows=")) {
        dailyRows = Integer.parseInt(arg.substring("--dailyRows=".length()));
      } else if (arg.startsWith("--dailyDays=")) {
        dailyDays = Integer.parseInt(arg.substring("--dailyDays=".length()));
      } else {
        beamArgs.add(arg);
      }
    }
    String root = System.getenv().getOrDefault("MLOPS_ROOT", ".");
    System.setProperty(
        "mlops.usecase.path", Path.of(root, "pipelines/src/test/resources/usecases").toString());
    Path work = Files.createTempDirectory("mlops-bench-prepare-");
    Path daily = work.resolve("daily/loans.csv");
    UseCaseData.write(daily, String.join("\n", UseCaseData.loansCsv(dailyRows, 3, dailyDays)));

    // two rounds: the first pays the JVM's warm-up (the daily set first, so it counts against
    // it), the second is measured warm; both are reported
    Map<String, Object> report = new LinkedHashMap<>();
    for (String round : List.of("cold", "warm")) {
      Map<String, Object> measured = new LinkedHashMap<>();
      measured.put(
          "daily",
          measure(
              beamArgs,
              presets,
              work.resolve(round + "/loans"),
              "loans",
              "default",
              daily.toString()));
      measured.put(
          "flights",
          measure(
              beamArgs, presets, work.resolve(round + "/flights"), "flights", "delay15", sample));
      double ratio = perRow(measured.get("daily")) / perRow(measured.get("flights"));
      measured.put("dailyOverFlightsPerRow", Math.round(ratio * 100) / 100.0);
      report.put(round, measured);
      PipelineReports.progress(
          String.format(
              "bench prepare (%s): daily   %s%n                     flights %s%n"
                  + "                     daily / flights, per row: %.2f",
              round, measured.get("daily"), measured.get("flights"), ratio));
    }
    PipelineReports.print(report);
    return 0;
  }

  private static Map<String, Object> measure(
      List<String> beamArgs,
      OptionPresets presets,
      Path dir,
      String useCase,
      String task,
      String input)
      throws IOException {
    Path lake = dir.resolve("lake");
    List<String> ingestArgs = new ArrayList<>(beamArgs);
    ingestArgs.addAll(List.of("--useCase=" + useCase, "--input=" + input, "--lake=" + lake));
    IngestOptions ingest =
        Commands.parse(ingestArgs.toArray(String[]::new), IngestOptions.class, presets);
    FileSystems.setDefaultPipelineOptions(ingest);
    long t0 = System.nanoTime();
    IngestPipeline.run(ingest);
    double ingestSeconds = (System.nanoTime() - t0) / 1e9;

    List<String> trainArgs = new ArrayList<>(beamArgs);
    trainArgs.addAll(List.of("--useCase=" + useCase, "--task=" + task, "--lake=" + lake));
    TrainOptions train =
        Commands.parse(trainArgs.toArray(String[]::new), TrainOptions.class, presets);
    long t1 = System.nanoTime();
    Map<String, Object> counters = TrainPipeline.prepare(train, dir.resolve("run").toString());
    double prepareSeconds = (System.nanoTime() - t1) / 1e9;
    long rows = ((Number) counters.get("read")).longValue();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("rows", rows);
    out.put("lakeFiles", parquetFiles(lake));
    out.put("ingestSeconds", Math.round(ingestSeconds * 10) / 10.0);
    out.put("prepareSeconds", Math.round(prepareSeconds * 10) / 10.0);
    out.put("prepareMillisPerRow", Math.round(prepareSeconds * 1e3 / rows * 1e4) / 1e4);
    return out;
  }

  private static double perRow(Object measured) {
    return ((Number) ((Map<?, ?>) measured).get("prepareMillisPerRow")).doubleValue();
  }

  private static long parquetFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.toString().endsWith(".parquet")).count();
    }
  }
}
