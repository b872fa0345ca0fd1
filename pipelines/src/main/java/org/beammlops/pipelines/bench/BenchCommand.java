package org.beammlops.pipelines.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.beammlops.pipelines.common.Commands;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.pipelines.ingest.IngestOptions;
import org.beammlops.pipelines.ingest.IngestPipeline;
import org.beammlops.schemas.usecase.UseCases;

/**
 * {@code ./mlops bench ingest --input=<parquet>}: ingest the same file three ways in one run —
 * plain single-threaded Java, the ingest pipeline on DirectRunner, and on FlinkRunner {@code
 * [local]} — and print rows per second side by side, each into a fresh lake.
 */
public final class BenchCommand {
  private BenchCommand() {}

  public static int run(String[] args, UnaryOperator<String[]> presets) {
    if (args.length == 0 || !args[0].equals("ingest")) {
      System.err.println(
          "usage: ./mlops bench ingest --input=<parquet> [--useCase=flights] [--runners=plain,direct,flink]");
      return Commands.USAGE_ERROR;
    }
    List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
    String runners = "plain,direct,flink";
    for (String arg : List.copyOf(rest)) {
      if (arg.startsWith("--runners=")) {
        runners = arg.substring("--runners=".length());
        rest.remove(arg);
      }
    }
    try {
      return benchIngest(rest, List.of(runners.split(",")), presets);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return Commands.USAGE_ERROR;
    } catch (IOException | RuntimeException e) {
      System.err.println("error: " + e);
      return 1;
    }
  }

  private static int benchIngest(
      List<String> args, List<String> runners, UnaryOperator<String[]> presets) throws IOException {
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
              UseCases.load(base.getUseCase()), base.getInput(), work.resolve("plain").toString());
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
      String[] withPresets = presets.apply(runArgs.toArray(String[]::new));
      PipelineReports.progress("bench: ingest on " + runner + " " + String.join(" ", withPresets));
      IngestOptions options =
          PipelineOptionsFactory.fromArgs(withPresets).withValidation().as(IngestOptions.class);
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
}
