package org.beammlops.pipelines.score;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.Prediction;
import org.beammlops.transforms.deadletter.DeadLetters;
import org.beammlops.transforms.deadletter.ErrorType;
import org.beammlops.transforms.lake.GenericRecords;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code ./mlops score-summary} over a small hand-made lake: counts, percentiles, bad input. */
public class ScoreSummaryTest {
  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  @Test
  public void summarizesOneRunsPredictionsAndDeadLetters() throws Exception {
    Path lake = temp.getRoot().toPath();
    // Run "r1": latencies 1..100 ms over two files and two versions; run "r2" must not count.
    write(
        lake,
        "predictions/date=2001-06-01/part-r1-00000-of-00001.parquet",
        predictions(1, 60, "1"));
    write(
        lake,
        "predictions/date=2001-06-02/part-r1-00000-of-00001.parquet",
        predictions(61, 100, "2"));
    write(
        lake,
        "predictions/date=2001-06-01/part-r2-00000-of-00001.parquet",
        predictions(500, 510, "1"));
    write(
        lake,
        "deadletter/date=2026-01-01/part-r1-00000-of-00001.parquet",
        List.of(
            deadLetter("score", ErrorType.MALFORMED_JSON),
            deadLetter("score", ErrorType.MALFORMED_JSON),
            deadLetter("score", ErrorType.OUT_OF_RANGE)));
    write(
        lake,
        "deadletter/date=2026-01-01/part-other-00000-of-00001.parquet",
        List.of(deadLetter("ingest", ErrorType.MALFORMED_JSON)));

    Map<String, Object> report = ScoreSummary.run(options(lake, "r1"));

    assertEquals(100L, report.get("predictions"));
    assertEquals(
        Map.of("flights-delay15 version 1", 60L, "flights-delay15 version 2", 40L),
        report.get("served"));
    @SuppressWarnings("unchecked")
    Map<String, Object> latency = (Map<String, Object>) report.get("latencyMillis");
    assertEquals(50.0, (double) latency.get("p50"), 1.0);
    assertEquals(99.0, (double) latency.get("p99"), 1.0);
    assertEquals(100.0, latency.get("max"));
    assertEquals(3L, report.get("deadLetters"));
    assertEquals(
        Map.of("MALFORMED_JSON", 2L, "OUT_OF_RANGE", 1L), report.get("deadLettersByReason"));
    assertEquals(2, report.get("predictionFiles"));

    assertEquals(111L, ScoreSummary.run(options(lake, null)).get("predictions"));
  }

  @Test
  public void aMissingLakeOrLogIsAClearError() throws Exception {
    Path missing = temp.getRoot().toPath().resolve("nowhere");
    IllegalArgumentException noLake =
        assertThrows(
            IllegalArgumentException.class, () -> ScoreSummary.run(options(missing, null)));
    assertTrue(noLake.getMessage(), noLake.getMessage().startsWith("No lake for use case flights"));

    Path lake = temp.getRoot().toPath();
    write(
        lake, "predictions/date=2001-06-01/part-r1-00000-of-00001.parquet", predictions(1, 2, "1"));
    IllegalArgumentException noRun =
        assertThrows(IllegalArgumentException.class, () -> ScoreSummary.run(options(lake, "r9")));
    assertTrue(
        noRun.getMessage(), noRun.getMessage().startsWith("No prediction log of score run r9"));
  }

  @Test
  public void sketchedPercentilesStayWithinTheirRankError() {
    LatencyQuantiles q = new LatencyQuantiles();
    for (int i = 1; i <= 200_000; i++) {
      q.add(i);
    }
    double slack = 200_000 * 2 * (double) q.toMap().get("rankError");
    assertEquals(100_000, q.quantile(0.5), slack);
    assertEquals(198_000, q.quantile(0.99), slack);
    assertEquals(200_000L, q.count());
  }

  private static ScoreSummaryOptions options(Path lake, String runId) {
    ScoreSummaryOptions options = PipelineOptionsFactory.as(ScoreSummaryOptions.class);
    options.setLake(lake.toString());
    options.setScoreRunId(runId);
    return options;
  }

  private static List<GenericRecord> predictions(int fromMillis, int toMillis, String version) {
    return java.util.stream.IntStream.rangeClosed(fromMillis, toMillis)
        .mapToObj(
            i ->
                GenericRecords.toGeneric(
                    Prediction.newBuilder()
                        .setRequestId("r" + i)
                        .setUseCase("flights")
                        .setTask("delay15")
                        .setEventTime(Instant.parse("2001-06-01T10:00:00Z"))
                        .setScoredAt(Instant.now())
                        .setModelName("flights-delay15")
                        .setModelVersion(version)
                        .setPrediction(0.2)
                        .setLatencyMillis(i)
                        .build()))
        .map(GenericRecord.class::cast)
        .toList();
  }

  private static GenericRecord deadLetter(String pipeline, ErrorType type) {
    byte[] bytes = "{".getBytes(StandardCharsets.UTF_8);
    DeadLetter d =
        DeadLetters.from("flights", pipeline, "parse")
            .reject("flights.requests-0", 1, bytes, 1, type, "bad");
    return GenericRecords.toGeneric(d);
  }

  private static void write(Path lake, String file, List<GenericRecord> rows) throws IOException {
    Schema schema = rows.get(0).getSchema();
    try (ParquetWriter<GenericRecord> writer =
        AvroParquetWriter.<GenericRecord>builder(
                HadoopOutputFile.fromPath(
                    new org.apache.hadoop.fs.Path(lake.resolve("flights/" + file).toString()),
                    new Configuration()))
            .withSchema(schema)
            .build()) {
      for (GenericRecord row : rows) {
        writer.write(row);
      }
    }
  }
}
