package org.beammlops.transforms.drift;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.schemas.MetricWindow;
import org.beammlops.schemas.Prediction;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.FlightRecords;
import org.beammlops.transforms.profile.DatasetProfiles;
import org.joda.time.Duration;
import org.junit.Rule;
import org.junit.Test;

/**
 * Streaming drift on real rows: June's predictions in 15-day windows against January's profile;
 * June 2–16 as it is, June 17–30 with the replay's drift of distance, origin and destination. The
 * first window does not drift, the second does, on those features; a version without a reference is
 * not tested.
 */
public class WindowedDriftTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final UseCase FLIGHTS = FlightRecords.FLIGHTS;
  private static final DatasetProfile JANUARY =
      DatasetProfiles.of(FLIGHTS, FlightsByMonth.month(1), Instant.parse("2026-12-01T00:00:00Z"));

  private static Prediction prediction(GenericRecord r, String version) {
    Map<String, Object> features = new LinkedHashMap<>();
    features.put("distance", ((Number) r.get("distance")).doubleValue());
    features.put("origin", r.get("origin").toString());
    features.put("destination", r.get("destination").toString());
    Instant t = Instant.ofEpochMilli((Long) r.get("date"));
    return Prediction.newBuilder()
        .setRequestId(String.valueOf(r.get("id")))
        .setUseCase("flights")
        .setTask("delay15")
        .setEventTime(t)
        .setScoredAt(t)
        .setModelName("flights-delay15")
        .setModelVersion(version)
        .setPrediction(0.2)
        .setPredictedClass("1")
        .setLatencyMillis(1)
        .setFeatures(features)
        .build();
  }

  @Test
  public void aDriftedHalfOfJuneIsFlaggedOnItsFeaturesTheCleanHalfIsNot() {
    List<GenericRecord> june = FlightsByMonth.month(6);
    // 15-day windows from the epoch: ..06-02, 06-02..06-17, 06-17..07-02
    long split = Instant.parse("2001-06-17T00:00:00Z").toEpochMilli();
    List<GenericRecord> first = new ArrayList<>();
    List<GenericRecord> second = new ArrayList<>();
    for (GenericRecord r : june) {
      ((Long) r.get("date") < split ? first : second).add(r);
    }
    second = FlightsByMonth.drifted(second, 0.5, "distance", "scale", "1.5");
    second = FlightsByMonth.drifted(second, 0.5, "origin", "mix", "ZZZ");
    second = FlightsByMonth.drifted(second, 0.5, "destination", "mix", "YYY");
    List<TimestampedValue<Prediction>> stream = new ArrayList<>();
    for (List<GenericRecord> half : List.of(first, second)) {
      for (GenericRecord r : half) {
        stream.add(
            TimestampedValue.of(
                prediction(r, "1"), new org.joda.time.Instant((Long) r.get("date"))));
      }
    }
    // a version the registry has no reference for: not tested
    stream.add(
        TimestampedValue.of(
            prediction(first.get(0), "9"),
            new org.joda.time.Instant((Long) first.get(0).get("date"))));
    final double secondRows = second.size();
    PCollection<MetricWindow> windows =
        p.apply(Create.timestamped(stream).withCoder(AvroCoder.of(Prediction.class)))
            .apply(
                WindowedDrift.of(
                    FLIGHTS,
                    FLIGHTS.task("delay15"),
                    Duration.standardDays(15),
                    Duration.standardDays(15),
                    version -> version.equals("9") ? null : JANUARY));
    PAssert.that(windows)
        .satisfies(
            all -> {
              Map<String, MetricWindow> byStart = new LinkedHashMap<>();
              for (MetricWindow w : all) {
                assertEquals(WindowedDrift.KIND, w.getKind());
                if (w.getModelVersion().equals("1")) {
                  byStart.put(w.getWindowStart().toString(), w);
                }
                assertTrue(!w.getModelVersion().equals("9"));
              }
              Map<String, Double> clean = byStart.get("2001-06-02T00:00:00Z").getMetrics();
              Map<String, Double> drifted = byStart.get("2001-06-17T00:00:00Z").getMetrics();
              assertEquals(clean.toString(), 0.0, clean.get("dataset_drift"), 0);
              assertEquals(0.0, clean.get("drift_distance_drifted"), 0);
              assertEquals(drifted.toString(), 1.0, drifted.get("dataset_drift"), 0);
              assertEquals(1.0, drifted.get("drift_distance_drifted"), 0);
              assertEquals(1.0, drifted.get("drift_origin_drifted"), 0);
              assertEquals(0.0, drifted.get("drift_hour_of_day_drifted"), 0);
              assertEquals(secondRows, drifted.get("drift_rows"), 0);
              assertEquals(0.6, drifted.get("drift_share"), 1e-12); // 3 of 5 tested features
              return null;
            });
    p.run().waitUntilFinish();
  }
}
