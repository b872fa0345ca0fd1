package org.beammlops.transforms.dedup;

import static org.beammlops.transforms.FlightRecords.FLIGHTS;
import static org.beammlops.transforms.FlightRecords.withId;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Distinct;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.FlightRecords;
import org.beammlops.transforms.metrics.CounterSummary;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class DeduplicateByIdTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private PCollection<GenericRecord> records(String name, List<GenericRecord> records) {
    return p.apply(name, Create.of(records).withCoder(FlightRecords.coder()));
  }

  private PCollection<String> lakeIds(String... ids) {
    return ids.length == 0
        ? p.apply("LakeIds", Create.empty(StringUtf8Coder.of()))
        : p.apply("LakeIds", Create.of(List.of(ids)));
  }

  /** "id:delay:source:position" of each record, to see which copy won. */
  private static PCollection<String> describe(PCollection<GenericRecord> records) {
    return records.apply(
        "Describe",
        MapElements.into(TypeDescriptors.strings())
            .via(
                r ->
                    r.get("id")
                        + ":"
                        + r.get("delay")
                        + ":"
                        + r.get(UseCase.SOURCE_FIELD)
                        + ":"
                        + r.get(UseCase.POSITION_FIELD)));
  }

  private static long duplicates(PipelineResult result) {
    Map<String, Long> counters = CounterSummary.of(result, PipelineCounters.DUPLICATES);
    return counters.get(PipelineCounters.DUPLICATES);
  }

  private static final List<GenericRecord> INPUT =
      List.of(
          withId("A", "2001-01-01 06:05", 10, "a.csv", 2),
          withId("A", "2001-01-01 06:05", 20, "a.csv", 5),
          withId("B", "2001-01-01 07:00", 1, "a.csv", 3),
          withId("C", "2001-01-01 08:00", 2, "a.csv", 4),
          withId("D", "2001-01-01 09:00", 3, "a.csv", 6),
          withId("D", "2001-01-01 09:00", 4, "a.csv", 7));

  private void lastOneWinsAndLakeIdsAreDropped(int buckets) {
    PCollection<GenericRecord> unique =
        records("Input", INPUT)
            .apply(DeduplicateById.againstLake(FLIGHTS, lakeIds("C", "D", "Z"), buckets));
    PAssert.that(describe(unique)).containsInAnyOrder("A:20:a.csv:5", "B:1:a.csv:3");
    PipelineResult result = p.run();
    result.waitUntilFinish();
    // A once within the input; C once against the lake; D once within and once against the lake.
    assertEquals(INPUT.size() - 2, duplicates(result));
  }

  @Test
  public void lastOneWinsAndLakeIdsAreDropped() {
    lastOneWinsAndLakeIdsAreDropped(DeduplicateById.DEFAULT_BUCKETS);
  }

  @Test
  public void lastOneWinsAndLakeIdsAreDroppedWithOneBucket() {
    lastOneWinsAndLakeIdsAreDropped(1);
  }

  @Test
  public void laterSourceWinsOverHigherPosition() {
    PCollection<GenericRecord> unique =
        records(
                "Input",
                List.of(
                    withId("A", "2001-01-01 06:05", 1, "/in/2001-01-01.csv", 900),
                    withId("A", "2001-01-01 06:05", 2, "/in/2001-01-02.csv", 2),
                    withId("A", "2001-01-01 06:05", 3, "/in/2001-01-01.csv", 1000)))
            .apply(DeduplicateById.againstLake(FLIGHTS, lakeIds()));
    PAssert.that(describe(unique)).containsInAnyOrder("A:2:/in/2001-01-02.csv:2");
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(2, duplicates(result));
  }

  @Test
  public void nothingIsDroppedWithoutDuplicates() {
    List<GenericRecord> distinct =
        List.of(
            withId("A", "2001-01-01 06:05", 1, "a.csv", 2),
            withId("B", "2001-01-01 06:05", 2, "a.csv", 3),
            withId("C", "2001-01-01 06:05", 3, "a.csv", 4));
    PCollection<GenericRecord> unique =
        records("Input", distinct).apply(DeduplicateById.againstLake(FLIGHTS, lakeIds("X", "Y")));
    PAssert.that(describe(unique)).containsInAnyOrder("A:1:a.csv:2", "B:2:a.csv:3", "C:3:a.csv:4");
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(0, duplicates(result));
  }

  @Test
  public void derivedIdsMakeReadingTheSameFileTwiceANoOp() {
    // No id column: ids come from file name, line and content, so a second read of the same file
    // (from another folder, even) yields the same ids.
    String line = "2001-01-01 06:05,12,500,LAX,SFO";
    GenericRecord first = FlightRecords.parse(FlightRecords.HEADER, line, "/run1/f.csv", 2);
    GenericRecord again = FlightRecords.parse(FlightRecords.HEADER, line, "/run2/f.csv", 2);
    GenericRecord otherLine = FlightRecords.parse(FlightRecords.HEADER, line, "/run1/f.csv", 3);
    assertEquals(first.get("id"), again.get("id"));
    PCollection<GenericRecord> unique =
        records("Input", List.of(first, again, otherLine))
            .apply(DeduplicateById.againstLake(FLIGHTS, lakeIds()));
    PAssert.that(describe(unique))
        .containsInAnyOrder(
            first.get("id") + ":12:/run2/f.csv:2", otherLine.get("id") + ":12:/run1/f.csv:3");
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(1, duplicates(result));
  }

  @Test
  public void withTtlKeepsOneRecordPerId() {
    List<GenericRecord> input =
        List.of(
            withId("A", "2001-01-01 06:05", 1, "t-0", 1),
            withId("A", "2001-01-01 06:05", 2, "t-0", 2),
            withId("B", "2001-01-01 06:05", 3, "t-0", 3),
            withId("C", "2001-01-01 06:05", 4, "t-0", 4),
            withId("C", "2001-01-01 06:05", 5, "t-0", 5),
            withId("C", "2001-01-01 06:05", 6, "t-0", 6));
    PCollection<String> ids =
        records("Input", input)
            .apply(DeduplicateById.withTtl(FLIGHTS, Duration.standardHours(1)))
            .apply(MapElements.into(TypeDescriptors.strings()).via(r -> r.get("id").toString()));
    PAssert.that(ids).containsInAnyOrder("A", "B", "C");
    PAssert.thatSingleton(ids.apply(Distinct.create()).apply(Count.globally())).isEqualTo(3L);
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(3, duplicates(result));
  }

  /**
   * Ids are remembered for at least the TTL (one hour) and forgotten at the second rotation after
   * they were first seen. A rotation is due an hour after the previous one fired: here at 60
   * minutes of processing time (fired when the clock jumps to 75) and then at 135.
   */
  @Test
  public void withTtlForgetsAnIdAfterItsTtl() {
    TestStream<GenericRecord> stream =
        TestStream.create(FlightRecords.coder())
            .addElements(at(0, withId("A", "2001-01-01 06:05", 1, "t-0", 1)))
            .addElements(at(0, withId("B", "2001-01-01 06:05", 2, "t-0", 2)))
            .advanceProcessingTime(Duration.standardMinutes(30))
            .addElements(at(1, withId("A", "2001-01-01 06:05", 3, "t-0", 3)))
            .advanceProcessingTime(Duration.standardMinutes(45))
            .addElements(at(2, withId("A", "2001-01-01 06:05", 4, "t-0", 4)))
            .advanceProcessingTime(Duration.standardMinutes(5))
            .addElements(at(2, withId("C", "2001-01-01 06:05", 6, "t-0", 6)))
            .advanceProcessingTime(Duration.standardMinutes(60))
            .addElements(at(3, withId("A", "2001-01-01 06:05", 5, "t-0", 5)))
            .addElements(at(3, withId("B", "2001-01-01 06:05", 7, "t-0", 7)))
            .addElements(at(3, withId("C", "2001-01-01 06:05", 8, "t-0", 8)))
            .advanceWatermarkToInfinity();
    PCollection<String> kept =
        p.apply(stream)
            .apply(DeduplicateById.withTtl(FLIGHTS, Duration.standardHours(1), 1))
            .apply(
                MapElements.into(TypeDescriptors.strings())
                    .via(r -> r.get("id") + ":" + r.get("delay")));
    PAssert.that(kept).containsInAnyOrder("A:1", "B:2", "C:6", "A:5", "B:7");
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(3, duplicates(result));
  }

  @Test
  public void withTtlSpreadOverBucketsStillKeepsOnePerId() {
    List<GenericRecord> input = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      input.add(withId("id-" + (i % 50), "2001-01-01 06:05", i, "t-0", i));
    }
    PCollection<String> ids =
        records("Input", input)
            .apply(DeduplicateById.withTtl(FLIGHTS, Duration.standardHours(1), 7))
            .apply(MapElements.into(TypeDescriptors.strings()).via(r -> r.get("id").toString()));
    PAssert.thatSingleton(ids.apply("CountAll", Count.globally())).isEqualTo(50L);
    PAssert.thatSingleton(ids.apply(Distinct.create()).apply("CountDistinct", Count.globally()))
        .isEqualTo(50L);
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(150, duplicates(result));
  }

  @Test
  public void withTtlNeedsAtLeastOneBucket() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DeduplicateById.withTtl(FLIGHTS, Duration.standardHours(1), 0));
    assertTrue(e.getMessage(), e.getMessage().contains("at least 1"));
    p.enableAbandonedNodeEnforcement(false);
  }

  private static TimestampedValue<GenericRecord> at(int minute, GenericRecord record) {
    return TimestampedValue.of(record, new Instant(0).plus(Duration.standardMinutes(minute)));
  }
}
