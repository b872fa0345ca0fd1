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

    // The sample holds January to June; only March is read, split on the 25th.
    assertEquals(dates("2001-03-01", 24), partitions(out.train()));
    assertEquals(dates("2001-03-25", 7), partitions(out.holdout()));
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

  private static List<String> dates(String first, int days) {
    return Stream.iterate(java.time.LocalDate.parse(first), d -> d.plusDays(1))
        .limit(days)
        .map(d -> "date=" + d)
        .toList();
  }
}
