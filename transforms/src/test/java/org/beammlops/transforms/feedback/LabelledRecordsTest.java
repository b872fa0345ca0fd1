package org.beammlops.transforms.feedback;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaRecordCoder;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.Prediction;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.metrics.CounterSummary;
import org.joda.time.Duration;
import org.junit.Rule;
import org.junit.Test;

/**
 * The feedback join's labelled records: one per request that has both a prediction and feedback,
 * whichever came first and however many versions scored it; feedback that only gives a cut of the
 * label is counted, contradicting or invalid labels are dead letters with the record's text.
 */
public class LabelledRecordsTest {
  private static final UseCase FLIGHTS = UseCases.load("flights");
  private static final Instant T = Instant.parse("2001-06-01T08:05:00Z");

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static TimestampedValue<Prediction> prediction(String id, String version, int minutes) {
    Instant at = T.plusSeconds(60L * minutes);
    Prediction p =
        Prediction.newBuilder()
            .setRequestId(id)
            .setUseCase("flights")
            .setTask("delay15")
            .setEventTime(at)
            .setScoredAt(at)
            .setModelName("flights-delay15")
            .setModelVersion(version)
            .setPrediction(0.7)
            .setLatencyMillis(1)
            .setFeatures(Map.of("distance", 1200.0, "origin", "SFO", "destination", "JFK"))
            .build();
    return TimestampedValue.of(p, org.joda.time.Instant.ofEpochMilli(at.toEpochMilli()));
  }

  private static TimestampedValue<KafkaRecord<byte[], byte[]>> feedback(
      long offset, String id, int minutes, String labels) {
    Instant at = T.plusSeconds(60L * minutes);
    String json =
        "{\"requestId\":\""
            + id
            + "\",\"useCase\":\"flights\",\"eventTime\":"
            + at.toEpochMilli()
            + ",\"observedAt\":"
            + at.toEpochMilli()
            + ",\"labels\":{"
            + labels
            + "}}";
    return TimestampedValue.of(
        new KafkaRecord<>(
            "flights.feedback",
            0,
            offset,
            at.toEpochMilli(),
            KafkaTimestampType.CREATE_TIME,
            null,
            new byte[0],
            json.getBytes(UTF_8)),
        org.joda.time.Instant.ofEpochMilli(at.toEpochMilli()));
  }

  @Test
  public void eachRequestWithFeedbackBecomesOneValidatedRecordAndNothingIsLost() {
    List<TimestampedValue<Prediction>> predictions = new ArrayList<>();
    predictions.add(prediction("scored-first", "1", 0));
    predictions.add(prediction("scored-first", "2", 0)); // a second version: still one record
    predictions.add(prediction("labelled-first", "1", 1));
    predictions.add(prediction("only-a-cut", "1", 2));
    predictions.add(prediction("contradicts", "1", 3));
    predictions.add(prediction("out-of-range", "1", 4));
    predictions.add(prediction("never-labelled", "1", 5));
    List<TimestampedValue<KafkaRecord<byte[], byte[]>>> feedback =
        List.of(
            feedback(0, "scored-first", 0, "\"delay\":23,\"delay15\":true"),
            feedback(1, "labelled-first", 1, "\"delay\":-4,\"delay15\":false"),
            feedback(2, "scored-first", 0, "\"delay\":23,\"delay15\":true"), // a repeat
            feedback(3, "only-a-cut", 2, "\"delay15\":true"),
            feedback(4, "contradicts", 3, "\"delay\":5,\"delay15\":true"),
            feedback(5, "out-of-range", 4, "\"delay\":99999,\"delay15\":true"),
            feedback(6, "no-such-request", 6, "\"delay\":1,\"delay15\":false"),
            TimestampedValue.of(
                new KafkaRecord<>(
                    "flights.feedback",
                    0,
                    7,
                    0,
                    KafkaTimestampType.CREATE_TIME,
                    null,
                    new byte[0],
                    "not json".getBytes(UTF_8)),
                org.joda.time.Instant.ofEpochMilli(T.toEpochMilli())));

    PCollectionTuple out =
        PCollectionTuple.of(
                LabelledRecords.PREDICTIONS,
                pipeline.apply(
                    "Predictions",
                    Create.timestamped(predictions).withCoder(AvroCoder.of(Prediction.class))))
            .and(
                LabelledRecords.FEEDBACK,
                pipeline.apply(
                    "Feedback",
                    Create.timestamped(feedback)
                        .withCoder(KafkaRecordCoder.of(ByteArrayCoder.of(), ByteArrayCoder.of()))))
            .apply(LabelledRecords.of(FLIGHTS, "metrics", Duration.standardHours(2)));

    PAssert.that(
            out.get(LabelledRecords.RECORDS)
                .apply(
                    "Describe",
                    MapElements.into(TypeDescriptors.strings()).via(LabelledRecordsTest::describe)))
        .containsInAnyOrder(
            "scored-first 2001-06-01T08:05:00Z SFO-JFK 1200 delay=23 feedback:flights.feedback-0@0",
            "labelled-first 2001-06-01T08:06:00Z SFO-JFK 1200 delay=-4"
                + " feedback:flights.feedback-0@1");
    PAssert.that(out.get(LabelledRecords.DEAD_LETTERS))
        .satisfies(
            letters -> {
              List<String> got = new ArrayList<>();
              for (DeadLetter d : letters) {
                String payload = UTF_8.decode(d.getPayload().duplicate()).toString();
                got.add(
                    d.getPosition() + " " + d.getErrorType() + " " + payload.contains("\"id\""));
                assertEquals("LabelledRecords", d.getStep());
              }
              got.sort(null);
              assertEquals(List.of("4 INCONSISTENT_LABELS true", "5 OUT_OF_RANGE true"), got);
              return null;
            });
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    Map<String, Long> counters =
        CounterSummary.of(
            result,
            LabelledRecords.WRITTEN,
            LabelledRecords.WITHOUT_RAW_LABEL,
            LabelledRecords.REJECTED);
    assertEquals(Long.valueOf(2), counters.get(LabelledRecords.WRITTEN));
    assertEquals(Long.valueOf(1), counters.get(LabelledRecords.WITHOUT_RAW_LABEL));
    assertEquals(Long.valueOf(2), counters.get(LabelledRecords.REJECTED));
  }

  private static String describe(GenericRecord r) {
    return r.get("id")
        + " "
        + Instant.ofEpochMilli((Long) r.get("date"))
        + " "
        + r.get("origin")
        + "-"
        + r.get("destination")
        + " "
        + r.get("distance")
        + " delay="
        + r.get("delay")
        + " "
        + r.get(UseCase.SOURCE_FIELD)
        + "@"
        + r.get(UseCase.POSITION_FIELD);
  }
}
