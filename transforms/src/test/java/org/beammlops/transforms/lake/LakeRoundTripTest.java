package org.beammlops.transforms.lake;

import static org.beammlops.transforms.FlightRecords.FLIGHTS;
import static org.beammlops.transforms.FlightRecords.withId;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beammlops.transforms.FlightRecords;
import org.beammlops.transforms.dedup.DeduplicateById;
import org.beammlops.transforms.metrics.CounterSummary;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/** Records written to the lake by event date come back by id, which makes a re-run a no-op. */
@RunWith(JUnit4.class)
public class LakeRoundTripTest {
  @Rule public final transient TestPipeline writePipeline = TestPipeline.create();
  @Rule public final transient TestPipeline readPipeline = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  private static final List<GenericRecord> RECORDS =
      List.of(
          withId("A", "2001-01-01 06:05", 10, "a.csv", 2),
          withId("B", "2001-01-01 23:59", 11, "a.csv", 3),
          withId("C", "2001-01-01 00:00", 12, "a.csv", 4),
          withId("D", "2001-01-02 00:00", 13, "a.csv", 5),
          withId("E", "2001-01-02 12:30", 14, "a.csv", 6));

  @Test
  public void lakePathsAndEventDates() {
    Lake lake = Lake.at("/data/lake/", "flights");
    assertEquals("/data/lake/flights", lake.useCaseDir());
    assertEquals("/data/lake/flights/events", lake.eventsDir());
    assertEquals("/data/lake/flights/events/date=*/*.parquet", lake.eventsGlob());
    assertEquals("/data/lake/flights/deadletter", lake.deadLetterDir());
    assertEquals(
        "/data/lake/flights/events/date=2001-01-02",
        Lake.partition(lake.eventsDir(), "2001-01-02"));
    EventDates dates = EventDates.of(FLIGHTS);
    assertEquals("2001-01-01", dates.apply(RECORDS.get(1)));
    assertEquals("2001-01-02", dates.apply(RECORDS.get(3)));
  }

  @Test
  public void writeByDateThenReadIdsBack() throws IOException {
    String root = tmp.getRoot().getAbsolutePath();
    Lake lake = Lake.at(root, "flights");
    lake.checkWritable();
    writePipeline
        .apply("Records", Create.of(RECORDS).withCoder(FlightRecords.coder()))
        .apply(
            "WriteLake",
            WritePartitionedParquet.to(
                lake.eventsDir(),
                lake.tempDir(),
                FLIGHTS.lakeSchema(),
                "run1",
                EventDates.of(FLIGHTS)));
    writePipeline.run().waitUntilFinish();

    Path events = Path.of(lake.eventsDir());
    List<String> partitions = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(events)) {
      dirs.forEach(d -> partitions.add(d.getFileName().toString()));
    }
    partitions.sort(null);
    assertEquals(List.of("date=2001-01-01", "date=2001-01-02"), partitions);
    for (String partition : partitions) {
      try (Stream<Path> files = Files.list(events.resolve(partition))) {
        List<Path> parquet = files.toList();
        assertFalse(partition, parquet.isEmpty());
        for (Path file : parquet) {
          String name = file.getFileName().toString();
          assertTrue(name, name.startsWith("part-run1") && name.endsWith(".parquet"));
          assertTrue(name, Files.size(file) > 0);
        }
      }
    }

    // A second run reads the ids back; de-duplicating the same records against them leaves only
    // what is new.
    PCollection<String> ids =
        readPipeline.apply("ReadIds", ReadLakeIds.of(lake, FLIGHTS.idField().get().name()));
    PAssert.that(ids).containsInAnyOrder("A", "B", "C", "D", "E");

    List<GenericRecord> rerun = new ArrayList<>(RECORDS);
    rerun.add(withId("F", "2001-01-03 10:00", 15, "b.csv", 2));
    PCollection<String> fresh =
        readPipeline
            .apply("Rerun", Create.of(rerun).withCoder(FlightRecords.coder()))
            .apply(DeduplicateById.againstLake(FLIGHTS, ids))
            .apply(
                "FreshIds",
                MapElements.into(TypeDescriptors.strings()).via(r -> r.get("id").toString()));
    PAssert.that(fresh).containsInAnyOrder("F");

    // The rows keep their values, event time included.
    PCollection<String> rows =
        readPipeline
            .apply("ReadRows", ParquetIO.read(FLIGHTS.lakeSchema()).from(lake.eventsGlob()))
            .apply(
                "Describe",
                MapElements.into(TypeDescriptors.strings())
                    .via(
                        r ->
                            r.get("id")
                                + ":"
                                + EventDates.of(FLIGHTS).apply(r)
                                + ":"
                                + r.get("delay")
                                + ":"
                                + r.get("origin")
                                + ":"
                                + r.get("ingest_position")));
    PAssert.that(rows)
        .containsInAnyOrder(
            "A:2001-01-01:10:LAX:2",
            "B:2001-01-01:11:LAX:3",
            "C:2001-01-01:12:LAX:4",
            "D:2001-01-02:13:LAX:5",
            "E:2001-01-02:14:LAX:6");

    // An empty (absent) lake holds no ids.
    PAssert.that(
            readPipeline.apply(
                "ReadEmptyLake", ReadLakeIds.of(Lake.at(root + "/nowhere", "flights"), "id")))
        .empty();

    PipelineResult result = readPipeline.run();
    result.waitUntilFinish();
    assertEquals(
        RECORDS.size(),
        (long)
            CounterSummary.of(result, PipelineCounters.DUPLICATES)
                .get(PipelineCounters.DUPLICATES));
  }
}
