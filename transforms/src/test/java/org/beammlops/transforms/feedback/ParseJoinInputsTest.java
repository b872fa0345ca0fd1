package org.beammlops.transforms.feedback;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaRecordCoder;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.Prediction;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.beammlops.transforms.serving.PredictionJson;
import org.junit.Rule;
import org.junit.Test;

/**
 * The parse step of the predictions: a prediction of a version the registry does not hold is a dead
 * letter with its bytes and the reason; one the registry could not be asked about is kept and
 * counted.
 */
public class ParseJoinInputsTest {
  private static final UseCase FLIGHTS = UseCases.load("flights");
  private static final Task DELAY15 = FLIGHTS.task("delay15");
  private static final Instant T = Instant.parse("2001-06-01T08:05:00Z");

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  /** A registry holding versions 1 and 2 of flights-delay15, unreachable for model "down". */
  private static final class TwoVersions extends ModelVersionCheck {
    private static final long serialVersionUID = 1L;

    @Override
    public Verdict check(String modelName, String version) {
      if (modelName.equals("down")) {
        return Verdict.UNVERIFIED;
      }
      return modelName.equals("flights-delay15") && Set.of("1", "2").contains(version)
          ? Verdict.KNOWN
          : Verdict.UNKNOWN;
    }
  }

  private static byte[] prediction(String id, String model, String version) {
    return PredictionJson.json(
        Prediction.newBuilder()
            .setRequestId(id)
            .setUseCase("flights")
            .setTask("delay15")
            .setEventTime(T)
            .setScoredAt(T)
            .setModelName(model)
            .setModelVersion(version)
            .setPrediction(0.7)
            .setPredictedClass("1")
            .setClassProbabilities(Map.of("0", 0.3, "1", 0.7))
            .setLatencyMillis(1)
            .build());
  }

  private static TimestampedValue<KafkaRecord<byte[], byte[]>> message(long offset, byte[] value) {
    return TimestampedValue.of(
        new KafkaRecord<>(
            "flights.predictions",
            0,
            offset,
            T.toEpochMilli(),
            KafkaTimestampType.CREATE_TIME,
            null,
            new byte[0],
            value),
        org.joda.time.Instant.ofEpochMilli(T.toEpochMilli()));
  }

  @Test
  public void aPredictionOfAnUnregisteredVersionIsADeadLetterWithItsBytes() {
    byte[] unknown = prediction("r3", "flights-delay15", "9");
    List<TimestampedValue<KafkaRecord<byte[], byte[]>>> messages =
        List.of(
            message(0, prediction("r1", "flights-delay15", "1")),
            message(1, prediction("r2", "flights-delay15", "2")),
            message(2, unknown),
            message(3, prediction("r4", "flights-delay15", "all")),
            message(4, prediction("r5", "down", "1")));
    PCollectionTuple parsed =
        pipeline
            .apply(
                Create.timestamped(messages)
                    .withCoder(KafkaRecordCoder.of(ByteArrayCoder.of(), ByteArrayCoder.of())))
            .apply(ParseJoinInputs.predictions(FLIGHTS, DELAY15, "metrics", new TwoVersions()));

    PAssert.that(
            parsed
                .get(ParseJoinInputs.OUTCOMES)
                .apply(
                    "Ids",
                    MapElements.into(TypeDescriptors.strings())
                        .via(o -> o.requestId() + "@" + o.modelVersion())))
        .containsInAnyOrder("r1@1", "r2@2", "r5@1");
    PAssert.that(parsed.get(ParseJoinInputs.DEAD_LETTERS))
        .satisfies(
            letters -> {
              Map<Long, DeadLetter> byOffset = new HashMap<>();
              letters.forEach(d -> byOffset.put(d.getPosition(), d));
              assertEquals(Set.of(2L, 3L), byOffset.keySet());
              DeadLetter d = byOffset.get(2L);
              assertEquals("UNKNOWN_MODEL_VERSION", d.getErrorType());
              assertEquals("model 'flights-delay15' has no registered version '9'", d.getReason());
              assertEquals("flights.predictions-0", d.getSource());
              assertEquals("ParsePredictions", d.getStep());
              ByteBuffer payload = d.getPayload().duplicate();
              byte[] bytes = new byte[payload.remaining()];
              payload.get(bytes);
              assertArrayEquals(unknown, bytes);
              assertEquals("UNKNOWN_MODEL_VERSION", byOffset.get(3L).getErrorType());
              return null;
            });

    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    long unverified =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(
                        MetricNameFilter.named(
                            PipelineCounters.NAMESPACE, ParseJoinInputs.UNVERIFIED_VERSION))
                    .build())
            .getCounters()
            .iterator()
            .next()
            .getAttempted();
    assertEquals(1, unverified);
  }
}
