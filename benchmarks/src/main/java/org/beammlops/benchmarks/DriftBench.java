package org.beammlops.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.pipelines.common.Commands;
import org.beammlops.pipelines.common.OptionPresets;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.pipelines.drift.DriftCommand;
import org.beammlops.pipelines.drift.DriftOptions;
import org.beammlops.schemas.usecase.DerivedFeature;
import org.beammlops.schemas.usecase.FieldSpec;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.deadletter.RejectedRecordException;
import org.beammlops.transforms.drift.DriftStatistics;
import org.beammlops.transforms.drift.ExactStatistics;
import org.beammlops.transforms.features.FeatureValues;
import org.beammlops.transforms.lake.EventDates;
import org.beammlops.transforms.lake.ParquetFiles;
import org.beammlops.transforms.parse.RecordParser;

/**
 * {@code ./mlops bench drift --input=<parquet>}: rows per second of profiling both sides and
 * testing every feature, on DirectRunner and FlinkRunner {@code [local]} ({@code ./mlops drift} on
 * the file, a reference range against a current range), beside an exact single-threaded Java
 * computation of the same statistics from all the values (read, parse, sort, compute), in one run.
 * It also prints how far each pipeline statistic is from the exact one.
 */
final class DriftBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DriftBench() {}

  static int run(List<String> args, OptionPresets presets) throws Exception {
    String input = null;
    String runners = "plain,direct,flink";
    String referenceFrom = "2001-01-01";
    String referenceTo = "2001-01-31";
    String from = "2001-02-01";
    String to = "2001-06-30";
    List<String> rest = new ArrayList<>();
    for (String arg : args) {
      String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : "";
      if (arg.startsWith("--input=")) {
        input = value;
      } else if (arg.startsWith("--runners=")) {
        runners = value;
      } else if (arg.startsWith("--referenceFrom=")) {
        referenceFrom = value;
      } else if (arg.startsWith("--referenceTo=")) {
        referenceTo = value;
      } else if (arg.startsWith("--from=")) {
        from = value;
      } else if (arg.startsWith("--to=")) {
        to = value;
      } else {
        rest.add(arg);
      }
    }
    if (input == null || !Files.exists(Path.of(input))) {
      throw new IllegalArgumentException("--input=<parquet>: a file of the use case's fields");
    }
    UseCase useCase = UseCases.loadOrDefault(null);
    Map<String, Object> contenders = new LinkedHashMap<>();
    Map<String, Map<String, Double>> statistics = new LinkedHashMap<>();
    if (runners.contains("plain")) {
      PipelineReports.progress("bench: exact single-threaded Java over " + input + " ...");
      long t0 = System.nanoTime();
      Exact exact =
          exact(useCase, input, date(referenceFrom), date(referenceTo), date(from), date(to));
      double seconds = (System.nanoTime() - t0) / 1e9;
      contenders.put("exactJava", row(exact.rows, seconds));
      statistics.put("exactJava", exact.statistics);
    }
    for (String runner : List.of("direct", "flink")) {
      if (!runners.contains(runner)) {
        continue;
      }
      List<String> runArgs = new ArrayList<>(rest);
      runArgs.addAll(
          List.of(
              "--task=delay15",
              "--input=" + input,
              "--referenceFrom=" + referenceFrom,
              "--referenceTo=" + referenceTo,
              "--from=" + from,
              "--to=" + to,
              "--trackDrift=false",
              "--publishAlerts=false",
              "--lake=" + Files.createTempDirectory("mlops-bench-drift-"),
              "--runner=" + (runner.equals("direct") ? "DirectRunner" : "FlinkRunner")));
      PipelineReports.progress("bench: drift on " + runner + " " + String.join(" ", runArgs));
      DriftOptions options =
          Commands.parse(runArgs.toArray(String[]::new), DriftOptions.class, presets);
      long t0 = System.nanoTime();
      Map<String, Object> report = DriftCommand.run(options);
      double seconds = (System.nanoTime() - t0) / 1e9;
      JsonNode json = JSON.readTree(Path.of((String) report.get("reportJson")).toFile());
      long rows = json.get("rowCount").asLong() + json.get("referenceRows").asLong();
      contenders.put(runner + "Runner", row(rows, seconds));
      Map<String, Double> stats = new LinkedHashMap<>();
      for (JsonNode f : json.get("features")) {
        if (f.get("statistic").isNumber()) {
          stats.put(
              f.get("feature").asText() + " " + f.get("test").asText(),
              f.get("statistic").asDouble());
        }
        if (f.get("psi").isNumber()) {
          stats.put(f.get("feature").asText() + " psi", f.get("psi").asDouble());
        }
      }
      statistics.put(runner + "Runner", stats);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("input", input);
    out.put("reference", referenceFrom + ".." + referenceTo);
    out.put("current", from + ".." + to);
    out.put("contenders", contenders);
    out.put("statistics", statistics);
    PipelineReports.progress(table(contenders));
    PipelineReports.print(out);
    return 0;
  }

  private static Map<String, Object> row(long rows, double seconds) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("rows", rows);
    row.put("seconds", Math.round(seconds * 100) / 100.0);
    row.put("rowsPerSecond", Math.round(rows / seconds));
    return row;
  }

  private static String table(Map<String, Object> contenders) {
    return ContenderTable.render(
        contenders, "exactJava", List.of("rows"), "rowsPerSecond", "rows/s");
  }

  private static LocalDate date(String s) {
    return LocalDate.parse(s);
  }

  private record Exact(long rows, Map<String, Double> statistics) {}

  /** Reads the file once, splits it by event date, and computes every statistic exactly. */
  private static Exact exact(
      UseCase useCase, String file, LocalDate rf, LocalDate rt, LocalDate cf, LocalDate ct) {
    RecordParser parser = new RecordParser(useCase);
    EventDates dates = EventDates.of(useCase, UseCase.Partitioning.DAY);
    ZoneId zone = useCase.timeZone();
    List<FieldSpec> numeric = new ArrayList<>();
    List<FieldSpec> categorical = new ArrayList<>();
    for (FieldSpec f : useCase.fields()) {
      if (f.role() == FieldSpec.Role.FEATURE || f.role() == FieldSpec.Role.LABEL) {
        (f.kind() == FieldSpec.Kind.NUMERIC ? numeric : categorical).add(f);
      }
    }
    Map<String, double[][]> values = new HashMap<>(); // feature -> {reference, current}
    Map<String, int[]> sizes = new HashMap<>();
    Map<String, List<Map<String, Long>>> counts = new HashMap<>();
    long[] rows = {0};
    long[] position = {0};
    ParquetFiles.forEachRecord(
        file,
        row -> {
          GenericRecord r;
          try {
            r = parser.fromRow(row, file, ++position[0]);
          } catch (RejectedRecordException e) {
            return;
          }
          String day = dates.day(r);
          LocalDate d = day == null ? null : LocalDate.parse(day);
          int side =
              d == null
                  ? -1
                  : !d.isBefore(rf) && !d.isAfter(rt)
                      ? 0
                      : !d.isBefore(cf) && !d.isAfter(ct) ? 1 : -1;
          if (side < 0) {
            return;
          }
          rows[0]++;
          for (FieldSpec f : numeric) {
            Double x = FeatureValues.numeric(r, f.name());
            if (x != null) {
              double[][] v =
                  values.computeIfAbsent(
                      f.name(), k -> new double[][] {new double[1024], new double[1024]});
              int[] n = sizes.computeIfAbsent(f.name(), k -> new int[2]);
              if (n[side] == v[side].length) {
                v[side] = Arrays.copyOf(v[side], v[side].length * 2);
              }
              v[side][n[side]++] = x;
            }
          }
          for (FieldSpec f : categorical) {
            add(counts, f.name(), side, FeatureValues.category(r, f.name(), null, zone));
          }
          for (DerivedFeature f : useCase.derivedFeatures()) {
            if (!useCase.drift().feature(f.name()).tested()) {
              continue;
            }
            add(counts, f.name(), side, FeatureValues.category(r, f.from(), f.function(), zone));
          }
        });
    Map<String, Double> stats = new LinkedHashMap<>();
    values.forEach(
        (name, v) -> {
          int[] n = sizes.get(name);
          double[] a = Arrays.copyOf(v[0], n[0]);
          double[] b = Arrays.copyOf(v[1], n[1]);
          Arrays.sort(a);
          Arrays.sort(b);
          stats.put(
              name + " wasserstein",
              ExactStatistics.wasserstein(a, b) / Math.max(ExactStatistics.stddev(a), 0.001));
          stats.put(name + " ks", ExactStatistics.ks(a, b));
          stats.put(name + " psi", ExactStatistics.psi(a, b, ExactStatistics.decileEdges(a)));
        });
    counts.forEach(
        (name, c) -> {
          stats.put(name + " jensen_shannon", DriftStatistics.jensenShannon(c.get(0), c.get(1)));
          stats.put(name + " psi", DriftStatistics.psi(c.get(0), c.get(1)));
        });
    return new Exact(rows[0], stats);
  }

  private static void add(
      Map<String, List<Map<String, Long>>> counts, String name, int side, String value) {
    if (value == null) {
      return;
    }
    counts
        .computeIfAbsent(name, k -> List.of(new HashMap<>(), new HashMap<>()))
        .get(side)
        .merge(value, 1L, Long::sum);
  }
}
