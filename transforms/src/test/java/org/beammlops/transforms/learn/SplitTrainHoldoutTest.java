package org.beammlops.transforms.learn;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beammlops.transforms.FlightRecords;
import org.junit.Rule;
import org.junit.Test;

public class SplitTrainHoldoutTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  /** 10 days, 100 flights a day. */
  private static List<GenericRecord> tenDays() {
    List<GenericRecord> rows = new ArrayList<>();
    for (int day = 1; day <= 10; day++) {
      for (int i = 0; i < 100; i++) {
        rows.add(
            FlightRecords.withId(
                "id-" + day + "-" + i, String.format("2001-03-%02dT10:00", day), i, "t", i));
      }
    }
    return rows;
  }

  private PCollection<String> datesOf(PCollection<GenericRecord> rows, String name) {
    return rows.apply(
        name, MapElements.into(TypeDescriptors.strings()).via(r -> r.get("date").toString()));
  }

  @Test
  public void timeSplitHoldsOutTheLatestDates() {
    PCollection<GenericRecord> rows =
        pipeline.apply(Create.of(tenDays()).withCoder(FlightRecords.coder()));
    SplitTrainHoldout.Result split =
        rows.apply(SplitTrainHoldout.byTime(FlightRecords.FLIGHTS, 0.2));
    PAssert.that(split.holdout().apply("CountHoldout", Count.globally())).containsInAnyOrder(200L);
    PAssert.that(split.train().apply("CountTrain", Count.globally())).containsInAnyOrder(800L);
    PAssert.that(
            split
                .holdout()
                .apply(
                    "HoldoutDates",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            r ->
                                org.beammlops.transforms.lake.EventDates.of(FlightRecords.FLIGHTS)
                                    .apply(r)))
                .apply("DistinctHoldout", org.apache.beam.sdk.transforms.Distinct.create()))
        .containsInAnyOrder("2001-03-09", "2001-03-10");
    pipeline.run();
  }

  @Test
  public void hashSplitIsAStableShareOfIds() {
    PCollection<GenericRecord> rows =
        pipeline.apply(Create.of(tenDays()).withCoder(FlightRecords.coder()));
    SplitTrainHoldout.Result split =
        rows.apply(SplitTrainHoldout.byIdHash(FlightRecords.FLIGHTS, 0.25, 3));
    long expected =
        tenDays().stream().filter(r -> Folds.unit(r.get("id").toString(), 3) < 0.25).count();
    PAssert.that(split.holdout().apply("CountHoldout", Count.globally()))
        .containsInAnyOrder(expected);
    PAssert.that(split.train().apply("CountTrain", Count.globally()))
        .containsInAnyOrder(1000L - expected);
    pipeline.run();
    assertEquals(250, expected, 50);
  }

  @Test
  public void aTimeSplitNeedsTwoDates() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SplitTrainHoldout.boundary(Map.of("2001-01-01", 5L), 0.2));
    assertEquals(true, e.getMessage().contains("at least two event dates"));
  }

  @Test
  public void aTimeSplitOfDataWithoutAnEventTimeIsRefusedNamingTheWayOut() {
    org.beammlops.schemas.usecase.UseCase sensors =
        org.beammlops.schemas.usecase.UseCases.loadFrom(
            java.nio.file.Path.of("../pipelines/src/test/resources/usecases/sensors"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SplitTrainHoldout.byTime(sensors, 0.2));
    org.junit.Assert.assertTrue(
        e.getMessage(), e.getMessage().contains("--split=time needs an event time"));
    org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("--split=hash"));
    assertThrows(
        IllegalArgumentException.class,
        () -> SplitTrainHoldout.fromDate(sensors, java.time.LocalDate.of(2020, 1, 1)));
  }
}
