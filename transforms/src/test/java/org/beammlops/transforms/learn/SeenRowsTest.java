package org.beammlops.transforms.learn;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.FlightRecords;
import org.beammlops.transforms.lake.EventDates;
import org.junit.Rule;
import org.junit.Test;

public class SeenRowsTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final UseCase FLIGHTS = FlightRecords.FLIGHTS;
  private static final EventDates DATES = EventDates.of(FLIGHTS, UseCase.Partitioning.DAY);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Combines {@code rows} as a runner would: in three parts, merged. */
  private static SeenRows combine(List<GenericRecord> rows) throws Exception {
    Combine.CombineFn<GenericRecord, SeenRows.Accumulator, String> fn = SeenRows.combineFn(FLIGHTS);
    List<SeenRows.Accumulator> parts = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      SeenRows.Accumulator acc = fn.createAccumulator();
      for (int i = p; i < rows.size(); i += 3) {
        acc = fn.addInput(acc, rows.get(i));
      }
      parts.add(acc);
    }
    return SeenRows.fromJson(JSON.readTree(fn.extractOutput(fn.mergeAccumulators(parts))));
  }

  @Test
  public void everyTrainingRowIsSeenAndAboutOnePercentOfOthersAre() throws Exception {
    List<GenericRecord> rows = FlightsSample.firstRows(20_000);
    List<GenericRecord> train = new ArrayList<>();
    List<GenericRecord> other = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      (i % 2 == 0 ? train : other).add(rows.get(i));
    }
    SeenRows seen = combine(train);
    assertEquals(train.size(), seen.rows());
    for (GenericRecord r : train) {
      assertTrue("a training row is always seen: " + r, seen.mayContain(r, FLIGHTS, DATES));
    }
    long falsePositives = other.stream().filter(r -> seen.mayContain(r, FLIGHTS, DATES)).count();
    // 1% expected of 10,000 (binomial sd 10); identical flights in both halves also count.
    assertTrue(
        "false positives " + falsePositives, falsePositives <= 2 * SeenRows.FALSE_POSITIVES * 1e4);
  }

  @Test
  public void theSameFlightFromAnotherFileIsSeenThoughItsIdDiffers() throws Exception {
    String line = "2001-03-04T10:15,22,500,LAX,SFO";
    GenericRecord fromSample = FlightRecords.parse(FlightRecords.HEADER, line, "sample.csv", 7);
    GenericRecord fromFull = FlightRecords.parse(FlightRecords.HEADER, line, "full.csv", 210);
    assertNotEquals(fromSample.get("id"), fromFull.get("id"));
    SeenRows seen = combine(List.of(fromSample));
    assertTrue(seen.mayContain(fromFull, FLIGHTS, DATES));
    GenericRecord otherDelay =
        FlightRecords.parse(FlightRecords.HEADER, "2001-03-04T10:15,23,500,LAX,SFO", "full.csv", 1);
    assertFalse(seen.mayContain(otherDelay, FLIGHTS, DATES));
  }

  @Test
  public void rowsDatedOutsideTheTrainingDatesAreNeverSeen() throws Exception {
    List<GenericRecord> march = new ArrayList<>();
    for (int day = 1; day <= 9; day++) {
      march.add(
          FlightRecords.parse(
              FlightRecords.HEADER, "2001-03-0" + day + "T10:00,5,500,LAX,SFO", "m.csv", day));
    }
    SeenRows seen = combine(march);
    assertEquals("2001-03-01", seen.firstDate());
    assertEquals("2001-03-09", seen.lastDate());
    GenericRecord april =
        FlightRecords.parse(FlightRecords.HEADER, "2001-04-01T10:00,5,500,LAX,SFO", "a.csv", 1);
    assertFalse(seen.mayContain(april, FLIGHTS, DATES));
  }

  /** Static, so the checker below does not carry records (not serializable) to the runner. */
  private static final List<GenericRecord> RUNNER_ROWS = FlightsSample.firstRows(2_000);

  @Test
  public void combinesOnARunnerWithItsAccumulatorCoder() {
    PCollection<String> json =
        pipeline
            .apply(Create.of(RUNNER_ROWS).withCoder(FlightRecords.coder()))
            .apply(Combine.globally(SeenRows.combineFn(FLIGHTS)).withoutDefaults());
    PAssert.thatSingleton(json)
        .satisfies(
            text -> {
              try {
                SeenRows seen = SeenRows.fromJson(JSON.readTree(text));
                assertEquals(RUNNER_ROWS.size(), seen.rows());
                RUNNER_ROWS.forEach(r -> assertTrue(seen.mayContain(r, FLIGHTS, DATES)));
              } catch (java.io.IOException e) {
                throw new AssertionError(e);
              }
              return null;
            });
    pipeline.run();
  }
}
