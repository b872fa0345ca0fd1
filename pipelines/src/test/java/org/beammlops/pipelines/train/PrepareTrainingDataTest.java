package org.beammlops.pipelines.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data half of training on {@code --input} files: the date range applies to them too. */
class PrepareTrainingDataTest {
  @TempDir Path temp;

  @Test
  void inputFilesAreCutToTheDateRange() throws Exception {
    TrainOptions options =
        TrainingFixture.options(
            "http://unused",
            temp.resolve("lake"),
            TrainingFixture.direct(),
            "--task=delay15",
            "--input=" + TrainingFixture.SAMPLE,
            "--from=2001-03-01",
            "--to=2001-03-31",
            "--holdoutFrom=2001-03-25");
    UseCase useCase = UseCases.load("flights");
    PrepareTrainingData.Locations out =
        new PrepareTrainingData.Locations(temp.resolve("run").toString());
    Pipeline pipeline = Pipeline.create(options);
    PrepareTrainingData.build(pipeline, options, useCase, useCase.task("delay15"), out);
    Map<String, Object> counters =
        PipelineReports.runToCompletion(
            pipeline, "read", "outOfRange", "labelled", "labelMissing", "trainRows", "holdoutRows");

    // The sample holds January to June; only March is read, split on the 25th. The training
    // sets are read whole, so each is one partition whatever the spread of dates.
    assertEquals(List.of("date=all"), partitions(out.train()));
    assertEquals(List.of("date=all"), partitions(out.holdout()));
    assertEquals(dates("2001-03-01", 24), rowDates(out.train()));
    assertEquals(dates("2001-03-25", 7), rowDates(out.holdout()));
    // Every row is read once; March is about a sixth of them.
    assertEquals(100_000L, counters.get("read"), counters.toString());
    long inRange = (Long) counters.get("labelled") + (Long) counters.get("labelMissing");
    assertEquals(100_000L, inRange + (Long) counters.get("outOfRange"), counters.toString());
    assertTrue(inRange > 10_000 && inRange < 25_000, counters.toString());
    assertEquals(
        (Long) counters.get("labelled"),
        (Long) counters.get("trainRows") + (Long) counters.get("holdoutRows"));
  }

  private static List<String> partitions(String dir) throws Exception {
    try (Stream<Path> files = Files.list(Path.of(dir))) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** The distinct event dates of the rows in a training set, as {@code date=YYYY-MM-DD}. */
  private static List<String> rowDates(String dir) throws Exception {
    java.util.TreeSet<String> dates = new java.util.TreeSet<>();
    try (Stream<Path> files = Files.walk(Path.of(dir))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".parquet")).toList()) {
        try (var reader =
            org.apache.parquet.avro.AvroParquetReader
                .<org.apache.avro.generic.GenericRecord>builder(
                    org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                        new org.apache.hadoop.fs.Path(file.toString()),
                        new org.apache.hadoop.conf.Configuration()))
                .build()) {
          org.apache.avro.generic.GenericRecord row;
          while ((row = reader.read()) != null) {
            long millis = ((Number) row.get("date")).longValue();
            dates.add(
                "date="
                    + java.time.Instant.ofEpochMilli(millis)
                        .atZone(java.time.ZoneOffset.UTC)
                        .toLocalDate());
          }
        }
      }
    }
    return List.copyOf(dates);
  }

  private static List<String> dates(String first, int days) {
    return Stream.iterate(java.time.LocalDate.parse(first), d -> d.plusDays(1))
        .limit(days)
        .map(d -> "date=" + d)
        .toList();
  }
}
