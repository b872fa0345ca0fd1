package org.beammlops.transforms.serving;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaRecordCoder;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.Prediction;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.inference.LoadedModel;
import org.beammlops.transforms.inference.ModelHandler;
import org.beammlops.transforms.inference.ModelOutput;
import org.beammlops.transforms.inference.ModelRef;
import org.beammlops.transforms.inference.RunInference;
import org.beammlops.transforms.parse.InputFormat;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/**
 * {@link ScoreRequests} on a stream ({@code TestStream}) with a model that needs no files: requests
 * in several panes, a duplicate inside the de-duplication TTL and one after it, a request whose
 * event time is far behind the watermark, a malformed message, and one the model cannot score.
 */
public class ScoreRequestsTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final UseCase FLIGHTS = UseCases.load("flights");
  private static final Task DELAY15 = FLIGHTS.task("delay15");
  private static final ModelRef MODEL = new ModelRef("flights-delay15", "7", "distance/1000");

  @Test
  public void everyRequestIsScoredOncePerTtlOrIsADeadLetter() {
    Instant t0 = new Instant(978_329_100_000L); // 2001-01-01T06:05Z
    TestStream<KafkaRecord<byte[], byte[]>> stream =
        TestStream.create(KafkaRecordCoder.of(ByteArrayCoder.of(), ByteArrayCoder.of()))
            .addElements(at(t0, 0, request("a", 500)), at(t0, 1, request("b", 1000)))
            .advanceWatermarkTo(t0.plus(Duration.standardHours(2)))
            .advanceProcessingTime(Duration.standardMinutes(10))
            // A duplicate within the TTL, a request an hour and a half behind the watermark, a
            // malformed one and one the model refuses (distance 77).
            .addElements(
                at(t0.plus(Duration.standardMinutes(1)), 2, request("a", 500)),
                at(t0.minus(Duration.standardMinutes(90)), 3, request("late", 1500)),
                at(t0, 4, "{\"id\":".getBytes(StandardCharsets.UTF_8)),
                at(t0, 5, request("refused", 77)))
            // Past two rotations of the one-hour TTL (each due an hour after the last fired): "b"
            // is a
            // new request again.
            .advanceProcessingTime(Duration.standardMinutes(90))
            .advanceProcessingTime(Duration.standardMinutes(90))
            .addElements(at(t0.plus(Duration.standardHours(3)), 6, request("b", 1000)))
            .advanceWatermarkToInfinity();

    ScoringResult scored =
        p.apply(stream)
            .apply(
                ScoreRequests.of(
                    InputFormat.JSON,
                    ScoreRecords.with(
                        FLIGHTS,
                        DELAY15,
                        "score",
                        RunInference.of(new DistanceModel(), MODEL, ModelOutput.coder())),
                    1));

    PCollection<String> predictions =
        scored
            .predictions()
            .apply(
                "Describe",
                MapElements.into(TypeDescriptors.strings())
                    .via(
                        (Prediction x) ->
                            x.getRequestId()
                                + "="
                                + x.getPrediction()
                                + "@v"
                                + x.getModelVersion()
                                + ":"
                                + x.getPredictedClass()));
    PAssert.that(predictions)
        .containsInAnyOrder("a=0.5@v7:0", "b=1.0@v7:1", "late=1.5@v7:1", "b=1.0@v7:1");
    PAssert.that(scored.deadLetters())
        .satisfies(
            deadLetters -> {
              List<String> kinds = new ArrayList<>();
              for (DeadLetter d : deadLetters) {
                kinds.add(d.getErrorType() + "@" + d.getStep());
                assertTrue(d.getReason().length() > 0);
              }
              kinds.sort(null);
              assertEquals(
                  List.of("INFERENCE_FAILED@RunInference", "MALFORMED_JSON@validate"), kinds);
              return null;
            });
    PAssert.that(
            scored
                .modelEvents()
                .apply(
                    "EventTypes",
                    MapElements.into(TypeDescriptors.strings())
                        .via(e -> e.getType() + " " + e.getModelVersion())))
        .containsInAnyOrder("LOADED 7");
    p.run().waitUntilFinish();
  }

  private static TimestampedValue<KafkaRecord<byte[], byte[]>> at(
      Instant sent, long offset, byte[] value) {
    return TimestampedValue.of(
        new KafkaRecord<>(
            "flights.requests",
            0,
            offset,
            sent.getMillis(),
            KafkaTimestampType.CREATE_TIME,
            new RecordHeaders(),
            new byte[0],
            value),
        sent);
  }

  private static byte[] request(String id, long distance) {
    return ("{\"id\":\"%s\",\"date\":978329100000,\"distance\":%d,\"origin\":\"LAX\","
            + "\"destination\":\"SFO\"}")
        .formatted(id, distance)
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Probability = distance / 1000; refuses a distance of 77, as a real model refuses a vector. */
  static final class DistanceModel implements ModelHandler<GenericRecord, ModelOutput> {
    @Override
    public LoadedModel<GenericRecord, ModelOutput> load(ModelRef ref) {
      return new LoadedModel<>() {
        @Override
        public ModelRef ref() {
          return ref;
        }

        @Override
        public List<Scored<ModelOutput>> predict(List<GenericRecord> batch) {
          List<Scored<ModelOutput>> out = new ArrayList<>();
          for (GenericRecord r : batch) {
            long distance = (Long) r.get("distance");
            out.add(
                distance == 77
                    ? Scored.failed("distance 77 is outside the model")
                    : Scored.ok(ModelOutput.binary(distance / 1000.0, 0.5)));
          }
          return out;
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public String describe() {
      return "distance-model";
    }
  }
}
