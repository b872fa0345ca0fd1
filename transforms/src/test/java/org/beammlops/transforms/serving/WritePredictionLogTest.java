package org.beammlops.transforms.serving;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.beammlops.schemas.Prediction;
import org.beammlops.transforms.lake.Lake;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The prediction log on a stream: each commit (a pane that fires some seconds of processing time
 * after its first prediction) is one Parquet file in the partition of the day it was scored, and a
 * quiet stream writes nothing.
 */
public class WritePredictionLogTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  @Test
  public void eachCommitIsOneFileInTheDayItWasScored() throws Exception {
    Instant day1 = Instant.parse("2026-12-01T23:59:58Z");
    Instant day2 = Instant.parse("2026-12-02T00:00:03Z");
    TestStream<Prediction> stream =
        TestStream.create(AvroCoder.of(Prediction.class))
            .addElements(at(prediction("a", day1)), at(prediction("b", day1)))
            .advanceProcessingTime(Duration.standardSeconds(6))
            .advanceProcessingTime(Duration.standardMinutes(10)) // quiet: no pane, no file
            .addElements(at(prediction("c", day1)), at(prediction("d", day2)))
            .advanceProcessingTime(Duration.standardSeconds(6))
            .advanceWatermarkToInfinity();
    Lake lake = Lake.at(temp.getRoot().toString(), "flights");
    p.apply(stream).apply(WritePredictionLog.to(lake, "run-1", 5));
    p.run().waitUntilFinish();

    Path dir = Path.of(lake.predictionsDir());
    assertEquals(List.of("a", "b", "c"), ids(dir.resolve("date=2026-12-01")));
    assertEquals(List.of("d"), ids(dir.resolve("date=2026-12-02")));
    assertEquals("one file per commit", 2, parquetFiles(dir.resolve("date=2026-12-01")).size());
    assertEquals(1, parquetFiles(dir.resolve("date=2026-12-02")).size());
  }

  private static TimestampedValue<Prediction> at(Prediction p) {
    return TimestampedValue.of(p, Instant.ofEpochMilli(p.getEventTime().toEpochMilli()));
  }

  private static Prediction prediction(String id, Instant scoredAt) {
    return Prediction.newBuilder()
        .setRequestId(id)
        .setUseCase("flights")
        .setTask("delay15")
        .setEventTime(java.time.Instant.parse("2001-01-01T06:05:00Z"))
        .setScoredAt(java.time.Instant.ofEpochMilli(scoredAt.getMillis()))
        .setModelName("flights-delay15")
        .setModelVersion("1")
        .setPrediction(0.25)
        .setPredictedClass("0")
        .setClassProbabilities(Map.of("0", 0.75, "1", 0.25))
        .setLatencyMillis(3.0)
        .setFeatures(Map.of("distance", 500.0))
        .build();
  }

  private static List<Path> parquetFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".parquet")).toList();
    }
  }

  private static List<String> ids(Path dir) throws IOException {
    List<String> ids = new ArrayList<>();
    for (Path file : parquetFiles(dir)) {
      try (ParquetReader<GenericRecord> reader =
          AvroParquetReader.<GenericRecord>builder(
                  HadoopInputFile.fromPath(
                      new org.apache.hadoop.fs.Path(file.toString()), new Configuration()))
              .build()) {
        for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
          ids.add(r.get("requestId").toString());
        }
      }
    }
    ids.sort(null);
    return ids;
  }
}
