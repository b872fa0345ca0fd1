package org.beammlops.transforms.drift;

import static org.junit.Assert.assertEquals;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.schemas.FeatureProfile;
import org.beammlops.schemas.Prediction;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.FlightRecords;
import org.beammlops.transforms.profile.ProfileDataset;
import org.junit.Rule;
import org.junit.Test;

/**
 * The prediction log as records to profile: the task's predictions only, the request's event time
 * (so derived features such as hour of day are profiled), and a feature value that is NaN or absent
 * counted as missing rather than failing the job.
 */
public class PredictionsAsRecordsTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  /** A prediction as the prediction log's Parquet files give it back: generic, times as millis. */
  private static GenericRecord prediction(String task, Object distance, String origin) {
    Prediction p = specific(task, distance, origin);
    org.apache.avro.generic.GenericData.Record r =
        new org.apache.avro.generic.GenericData.Record(Prediction.getClassSchema());
    for (org.apache.avro.Schema.Field f : Prediction.getClassSchema().getFields()) {
      Object v = p.get(f.pos());
      r.put(f.pos(), v instanceof Instant i ? i.toEpochMilli() : v);
    }
    return r;
  }

  private static Prediction specific(String task, Object distance, String origin) {
    Map<String, Object> features = new LinkedHashMap<>();
    features.put("distance", distance);
    features.put("origin", origin);
    features.put("destination", "SFO");
    Instant t = Instant.parse("2001-06-01T08:05:00Z");
    return Prediction.newBuilder()
        .setRequestId("r")
        .setUseCase("flights")
        .setTask(task)
        .setEventTime(t)
        .setScoredAt(t)
        .setModelName("flights-" + task)
        .setModelVersion("1")
        .setPrediction(0.5)
        .setLatencyMillis(1)
        .setFeatures(features)
        .build();
  }

  private static GenericRecord withPrediction(GenericRecord r, double value) {
    r.put("prediction", value);
    return r;
  }

  @Test
  public void theTasksPredictionsAreProfiledWithNaNAndAbsentValuesAsMissing() {
    List<GenericRecord> log =
        List.of(
            prediction("delay15", 500.0, "LAX"),
            withPrediction(prediction("delay15", Double.NaN, "LAX"), Double.NaN),
            prediction("delay15", null, null),
            prediction("delay", 700.0, "JFK")); // another task's
    var profile =
        pipeline
            .apply(
                Create.of(log)
                    .withCoder(AvroCoder.of(GenericRecord.class, Prediction.getClassSchema())))
            .apply(PredictionsAsRecords.of(FlightRecords.FLIGHTS, "delay15"))
            .apply(
                ProfileDataset.of(FlightRecords.FLIGHTS)
                    .withPredictions(FlightRecords.FLIGHTS.task("delay15")));
    PAssert.thatSingleton(profile)
        .satisfies(
            (DatasetProfile p) -> {
              assertEquals(3, p.getRowCount());
              assertEquals(1, feature(p, "distance").getCount());
              assertEquals(2, feature(p, "distance").getMissing());
              assertEquals(2, feature(p, "origin").getCount());
              assertEquals(Map.of("8", 3L), feature(p, "hour_of_day").getFrequencies());
              assertEquals(3, feature(p, "delay").getMissing()); // no labels in the log
              FeatureProfile predictions = feature(p, UseCase.PREDICTION_FIELD);
              assertEquals("numeric", predictions.getKind());
              assertEquals(2, predictions.getCount()); // the NaN prediction is missing
              assertEquals(1, predictions.getMissing());
              assertEquals(0.5, predictions.getMean(), 0);
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  private static FeatureProfile feature(DatasetProfile p, String name) {
    return p.getFeatures().stream().filter(f -> f.getName().equals(name)).findFirst().orElseThrow();
  }
}
