package org.beammlops.transforms.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.deadletter.ErrorType;
import org.beammlops.transforms.deadletter.RejectedRecordException;
import org.junit.jupiter.api.Test;

/**
 * Which raw label a feedback message determines, per kind of task, and the record built from a
 * request and its feedback: validated as an ingested record is, with the feedback as provenance.
 */
class LabelledRecordBuilderTest {
  private static final UseCase FLIGHTS = UseCases.load("flights");
  private static final UseCase LOANS =
      UseCases.loadFrom(Path.of("../pipelines/src/test/resources/usecases/loans"));
  private static final UseCase VEHICLES =
      UseCases.loadFrom(Path.of("../pipelines/src/test/resources/usecases/vehicles"));
  private static final long T = Instant.parse("2001-06-01T08:05:00Z").toEpochMilli();

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  private static LabelledRequest flight(Map<String, Object> labels) {
    return new LabelledRequest(
        "f-1",
        T,
        map("distance", 1200.0, "origin", "SFO", "destination", "JFK"),
        labels,
        "feedback:flights.feedback-0",
        7);
  }

  private static GenericRecord build(UseCase useCase, LabelledRequest request)
      throws RejectedRecordException {
    LabelledRecordBuilder builder = new LabelledRecordBuilder(useCase);
    return builder.build(request, builder.json(request));
  }

  @Test
  void aRegressionTaskGivesItsLabelFieldBackAndACutOfItDoesNot() {
    LabelledRecordBuilder flights = new LabelledRecordBuilder(FLIGHTS);
    assertEquals(Map.of("delay", 23.0), flights.rawLabels(map("delay", 23.0, "delay15", true)));
    assertEquals(Map.of(), flights.rawLabels(map("delay15", true)));
  }

  @Test
  void aMultiClassTaskGivesItsClassName() {
    assertEquals(
        Map.of("vehicle_class", "truck"),
        new LabelledRecordBuilder(VEHICLES).rawLabels(map("kind", "truck")));
  }

  @Test
  void aBinaryTaskOnThreeDeclaredValuesCannotTellWhichNegativeItWasButTheRawFieldCanBeSent() {
    LabelledRecordBuilder loans = new LabelledRecordBuilder(LOANS);
    // amount is a feature of task default and the label of task amount
    assertEquals(
        Map.of("amount", 5000.0), loans.rawLabels(map("default", "Charged Off", "amount", 5000.0)));
    assertEquals(
        Map.of("status", "Fully Paid", "amount", 5000.0),
        loans.rawLabels(map("default", false, "status", "Fully Paid", "amount", 5000.0)));
  }

  @Test
  void aTaskWhoseLabelIsAnotherTasksFeatureFillsItInAndMustAgreeWithIt() throws Exception {
    LabelledRequest amountsRequest =
        new LabelledRequest(
            "L-1",
            T,
            map("grade", "B", "term", 36.0),
            map("default", "Charged Off", "amount", 5000.0),
            "feedback:loans.feedback-0",
            1);
    assertEquals(5000.0, build(LOANS, amountsRequest).get("amount"));
    LabelledRequest defaultsRequest =
        new LabelledRequest(
            "L-1",
            T,
            map("grade", "B", "term", 36.0, "amount", 1200.0),
            map("default", "Charged Off", "amount", 5000.0),
            "feedback:loans.feedback-0",
            1);
    RejectedRecordException e =
        assertThrows(RejectedRecordException.class, () -> build(LOANS, defaultsRequest));
    assertEquals(ErrorType.INCONSISTENT_LABELS, e.errorType(), e.getMessage());
  }

  @Test
  void theRecordHasTheRequestsIdTimeFeaturesAndLabelsAndTheFeedbackAsProvenance() throws Exception {
    GenericRecord r = build(FLIGHTS, flight(map("delay", 23.0, "delay15", true)));
    assertEquals("f-1", r.get("id").toString());
    assertEquals(T, r.get("date"));
    assertEquals(1200L, r.get("distance"));
    assertEquals("SFO", r.get("origin").toString());
    assertEquals("JFK", r.get("destination").toString());
    assertEquals(23L, r.get("delay"));
    assertEquals("feedback:flights.feedback-0", r.get(UseCase.SOURCE_FIELD).toString());
    assertEquals(7L, r.get(UseCase.POSITION_FIELD));
  }

  @Test
  void labelsThatContradictEachOtherAreRejectedNamingBoth() {
    RejectedRecordException e =
        assertThrows(
            RejectedRecordException.class,
            () -> build(FLIGHTS, flight(map("delay", 5.0, "delay15", true))));
    assertEquals(ErrorType.INCONSISTENT_LABELS, e.errorType());
    assertTrue(e.getMessage().contains("delay = 5 makes task 'delay15' 0"), e.getMessage());
    assertTrue(e.getMessage().contains("the feedback says true"), e.getMessage());
    RejectedRecordException loans =
        assertThrows(
            RejectedRecordException.class,
            () ->
                build(
                    LOANS,
                    new LabelledRequest(
                        "L-1",
                        T,
                        map("grade", "B", "term", 36.0, "amount", 5000.0),
                        map("default", "Charged Off", "status", "Current", "amount", 5000.0),
                        "feedback:loans.feedback-0",
                        1)));
    assertEquals(ErrorType.INCONSISTENT_LABELS, loans.errorType(), loans.getMessage());
  }

  @Test
  void aLabelTheUseCaseRejectsIsRejectedAsAtIngest() {
    RejectedRecordException e =
        assertThrows(
            RejectedRecordException.class,
            () -> build(FLIGHTS, flight(map("delay", 99999.0, "delay15", true))));
    assertEquals(ErrorType.OUT_OF_RANGE, e.errorType(), e.getMessage());
    RejectedRecordException fractional =
        assertThrows(
            RejectedRecordException.class,
            () -> build(FLIGHTS, flight(map("delay", 2.5, "delay15", false))));
    assertEquals(ErrorType.NOT_INTEGER, fractional.errorType(), fractional.getMessage());
  }

  @Test
  void aRequestWithoutARequiredFeatureIsRejected() {
    LabelledRequest noOrigin =
        new LabelledRequest(
            "f-2",
            T,
            map("distance", 1200.0, "destination", "JFK"),
            map("delay", 3.0),
            "feedback:flights.feedback-0",
            8);
    RejectedRecordException e =
        assertThrows(RejectedRecordException.class, () -> build(FLIGHTS, noOrigin));
    assertEquals(ErrorType.MISSING_FIELD, e.errorType(), e.getMessage());
  }
}
