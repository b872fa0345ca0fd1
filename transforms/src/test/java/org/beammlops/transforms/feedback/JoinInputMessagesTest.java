package org.beammlops.transforms.feedback;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.beammlops.schemas.Feedback;
import org.beammlops.schemas.Prediction;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.deadletter.ErrorType;
import org.beammlops.transforms.deadletter.RejectedRecordException;
import org.beammlops.transforms.serving.PredictionJson;
import org.junit.Test;

/** Feedback and prediction messages in every shape the join accepts, and the ones it rejects. */
public class JoinInputMessagesTest {
  private static final UseCase FLIGHTS = UseCases.load("flights");
  private static final Task DELAY15 = FLIGHTS.task("delay15");
  private static final Task DELAY = FLIGHTS.task("delay");
  private static final Task VEHICLE =
      Task.multiClass("vehicle", "kind", List.of("car", "van", "bus"), List.of("x"));
  private static final long JUNE_1_8AM = Instant.parse("2001-06-01T08:05:00Z").toEpochMilli();

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String feedback(String labels) {
    return "{\"requestId\":\"r1\",\"useCase\":\"flights\",\"eventTime\":\"2001-06-01T08:05:00\","
        + "\"observedAt\":\"2001-06-01T09:05:00\",\"labels\":{"
        + labels
        + "}}";
  }

  private static ErrorType rejected(FeedbackMessages messages, String payload) {
    return assertThrows(RejectedRecordException.class, () -> messages.read(utf8(payload)))
        .errorType();
  }

  @Test
  public void readsEachTasksLabelInItsOwnTerms() throws Exception {
    String json = feedback("\"delay15\":1,\"delay\":23.5");
    Truth binary = FeedbackMessages.of(FLIGHTS, DELAY15).read(utf8(json));
    assertEquals(new Truth("r1", JUNE_1_8AM, 1.0), binary);
    assertEquals(23.5, FeedbackMessages.of(FLIGHTS, DELAY).read(utf8(json)).target(), 0);
    assertEquals(
        0.0,
        FeedbackMessages.of(FLIGHTS, DELAY15).read(utf8(feedback("\"delay15\":false"))).target(),
        0);
    assertEquals(
        1.0,
        FeedbackMessages.of(FLIGHTS, DELAY15).read(utf8(feedback("\"delay15\":\"1\""))).target(),
        0);
    assertEquals(
        2.0,
        FeedbackMessages.of(FLIGHTS, VEHICLE).read(utf8(feedback("\"vehicle\":\"bus\""))).target(),
        0);
  }

  @Test
  public void readsAvroFeedback() throws Exception {
    Feedback f =
        Feedback.newBuilder()
            .setRequestId("r2")
            .setUseCase("flights")
            .setEventTime(Instant.ofEpochMilli(JUNE_1_8AM))
            .setObservedAt(Instant.ofEpochMilli(JUNE_1_8AM + 3_600_000))
            .setLabels(Map.of("delay15", 0.0, "delay", -4.0))
            .build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<>(Feedback.class).write(f, encoder);
    encoder.flush();
    assertEquals(
        new Truth("r2", JUNE_1_8AM, -4.0),
        FeedbackMessages.of(FLIGHTS, DELAY).read(out.toByteArray()));
  }

  @Test
  public void rejectsFeedbackThatIsNotATaskLabel() {
    FeedbackMessages binary = FeedbackMessages.of(FLIGHTS, DELAY15);
    FeedbackMessages regression = FeedbackMessages.of(FLIGHTS, DELAY);
    FeedbackMessages multi = FeedbackMessages.of(FLIGHTS, VEHICLE);
    assertEquals(ErrorType.MALFORMED_AVRO, rejected(binary, "not json at all"));
    assertEquals(ErrorType.MALFORMED_JSON, rejected(binary, "{\"requestId\":"));
    assertEquals(
        ErrorType.MALFORMED_JSON, rejected(binary, feedback("\"delay15\":1,\"delay15\":0")));
    assertEquals(ErrorType.EMPTY_RECORD, rejected(binary, ""));
    assertEquals(ErrorType.MISSING_FIELD, rejected(binary, feedback("\"delay\":3")));
    assertEquals(ErrorType.MISSING_FIELD, rejected(binary, feedback("\"delay15\":null")));
    assertEquals(ErrorType.WRONG_TYPE, rejected(binary, feedback("\"delay15\":0.5")));
    assertEquals(ErrorType.UNKNOWN_CLASS, rejected(binary, feedback("\"delay15\":\"late\"")));
    assertEquals(ErrorType.WRONG_TYPE, rejected(regression, feedback("\"delay\":\"23\"")));
    assertEquals(ErrorType.WRONG_TYPE, rejected(multi, feedback("\"vehicle\":2")));
    assertEquals(ErrorType.UNKNOWN_CLASS, rejected(multi, feedback("\"vehicle\":\"tram\"")));
    assertEquals(
        ErrorType.MALFORMED_TIMESTAMP,
        rejected(binary, feedback("\"delay15\":1").replace("2001-06-01T08:05:00", "yesterday")));
    assertEquals(
        ErrorType.MISSING_FIELD,
        rejected(binary, "{\"eventTime\":\"2001-06-01T08:05:00\",\"labels\":{\"delay15\":1}}"));
    String reason =
        assertThrows(
                RejectedRecordException.class,
                () -> multi.read(utf8(feedback("\"vehicle\":\"tram\""))))
            .getMessage();
    assertTrue(reason, reason.contains("'tram'") && reason.contains("[car, van, bus]"));
    assertNull(binary.eventTimeOrNull(utf8("garbage")));
  }

  private static Prediction prediction(String task, String predictedClass, Map<String, Double> p) {
    return Prediction.newBuilder()
        .setRequestId("r1")
        .setUseCase("flights")
        .setTask(task)
        .setEventTime(Instant.ofEpochMilli(JUNE_1_8AM))
        .setScoredAt(Instant.ofEpochMilli(JUNE_1_8AM + 5))
        .setModelName("flights-" + task)
        .setModelVersion("3")
        .setPrediction(p.getOrDefault("1", 12.5))
        .setPredictedClass(predictedClass)
        .setClassProbabilities(p)
        .setLatencyMillis(4.5)
        .build();
  }

  @Test
  public void readsPredictionsAsTheScorePipelineWritesThem() throws Exception {
    Prediction binary = prediction("delay15", "1", Map.of("0", 0.3, "1", 0.7));
    PredictionMessages messages = PredictionMessages.of(FLIGHTS, DELAY15);
    for (byte[] payload : List.of(PredictionJson.json(binary), PredictionJson.avro(binary))) {
      Prediction read = messages.decode(payload);
      assertTrue(messages.isOfTask(read));
      Outcome o = messages.outcome(read);
      assertEquals(new Outcome("r1", "3", JUNE_1_8AM, 0.7, 1, new double[0], null), o);
      assertEquals(JUNE_1_8AM, (long) messages.eventTimeOrNull(payload));
    }
    assertFalse(
        PredictionMessages.of(FLIGHTS, DELAY)
            .isOfTask(messages.decode(PredictionJson.json(binary))));

    Prediction multi = prediction("vehicle", "van", Map.of("car", 0.2, "van", 0.5, "bus", 0.3));
    Outcome o =
        PredictionMessages.of(FLIGHTS, VEHICLE)
            .outcome(messages.decode(PredictionJson.json(multi)));
    assertEquals(1, o.predictedClass());
    assertArrayEquals(new double[] {0.2, 0.5, 0.3}, o.probabilities(), 0);
  }

  @Test
  public void rejectsPredictionsThatDoNotFitTheTask() throws Exception {
    PredictionMessages binary = PredictionMessages.of(FLIGHTS, DELAY15);
    PredictionMessages multi = PredictionMessages.of(FLIGHTS, VEHICLE);
    assertEquals(
        ErrorType.MALFORMED_JSON,
        assertThrows(RejectedRecordException.class, () -> binary.decode(utf8("{\"requestId\"")))
            .errorType());
    assertEquals(
        ErrorType.MALFORMED_AVRO,
        assertThrows(RejectedRecordException.class, () -> binary.decode(utf8("\u0002xy")))
            .errorType());
    assertEquals(
        ErrorType.MISSING_FIELD,
        assertThrows(
                RejectedRecordException.class,
                () -> binary.decode(utf8("{\"requestId\":\"r1\",\"useCase\":\"flights\"}")))
            .errorType());
    Prediction unknownClass = prediction("delay15", "maybe", Map.of("0", 0.3, "1", 0.7));
    assertEquals(
        ErrorType.UNKNOWN_CLASS,
        assertThrows(RejectedRecordException.class, () -> binary.outcome(unknownClass))
            .errorType());
    Prediction missingProbability = prediction("vehicle", "van", Map.of("car", 0.2, "van", 0.8));
    assertEquals(
        ErrorType.MISSING_FIELD,
        assertThrows(RejectedRecordException.class, () -> multi.outcome(missingProbability))
            .errorType());
  }
}
