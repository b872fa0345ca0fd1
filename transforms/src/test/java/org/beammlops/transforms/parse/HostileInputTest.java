package org.beammlops.transforms.parse;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.deadletter.ErrorType;
import org.beammlops.transforms.deadletter.RejectedRecordException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Source column names, declared classes and the hostile inputs of the "any tabular data" issue:
 * each is a dead letter with its own reason, or read as the user meant, never a silent pick.
 */
class HostileInputTest {
  private static final List<String> LOAN_HEADER =
      List.of("Loan ID", "Opened On", "Amount $", "Grade (A-E)", "Term (months)", "Status");

  private static UseCase flights;
  private static UseCase loans;
  private static RecordParser flightsParser;
  private static RecordParser loansParser;

  @BeforeAll
  static void load() {
    flights = UseCases.load("flights");
    loans = UseCases.loadFrom(Path.of("../pipelines/src/test/resources/usecases/loans"));
    flightsParser = new RecordParser(flights);
    loansParser = new RecordParser(loans);
  }

  private static RejectedRecordException rejected(ErrorType type, Parse parse) {
    RejectedRecordException e = assertThrows(RejectedRecordException.class, parse::run);
    assertEquals(type, e.errorType(), e.getMessage());
    return e;
  }

  private interface Parse {
    void run() throws Exception;
  }

  @Test
  void csvColumnsAreMatchedByTheirSourceNames() throws Exception {
    GenericRecord loan =
        loansParser.fromCsv(
            LOAN_HEADER, "L-1,2020-03-04,1500.5,B,36,Charged Off".getBytes(UTF_8), "loans.csv", 2);
    assertEquals("L-1", loan.get("loan_id"));
    assertEquals(1500.5, loan.get("amount"));
    assertEquals("B", loan.get("grade"));
    assertEquals(36L, loan.get("term"));
    assertEquals("Charged Off", loan.get("status"));
    assertNull(loan.get("recoveries"));
  }

  @Test
  void jsonKeysMayBeTheFieldNameOrTheSourceNameButNotBoth() throws Exception {
    GenericRecord byName =
        loansParser.fromJson(
            "{\"opened\":\"2020-03-04\",\"amount\":10,\"grade\":\"A\",\"term\":12}".getBytes(UTF_8),
            "loans.jsonl",
            1);
    assertEquals(10.0, byName.get("amount"));
    RejectedRecordException both =
        rejected(
            ErrorType.DUPLICATE_FIELD,
            () ->
                loansParser.fromJson(
                    ("{\"Opened On\":\"2020-03-04\",\"amount\":10,\"Amount $\":11,"
                            + "\"grade\":\"A\",\"term\":12}")
                        .getBytes(UTF_8),
                    "loans.jsonl",
                    1));
    assertTrue(both.getMessage().contains("'amount' is given twice"), both.getMessage());
  }

  @Test
  void aRequiredFieldMissingNamesItsSourceColumn() {
    RejectedRecordException e =
        rejected(
            ErrorType.MISSING_FIELD,
            () ->
                loansParser.fromCsv(
                    List.of("Loan ID", "Amount $", "Grade (A-E)", "Term (months)"),
                    "L-1,1,A,12".getBytes(UTF_8),
                    "loans.csv",
                    2));
    assertTrue(e.getMessage().contains("'opened' (column [Opened On])"), e.getMessage());
  }

  @Test
  void aLabelOutsideTheDeclaredClassesIsADeadLetter() {
    RejectedRecordException e =
        rejected(
            ErrorType.UNKNOWN_CLASS,
            () ->
                loansParser.fromCsv(
                    LOAN_HEADER,
                    "L-1,2020-03-04,1500,B,36,Written Off".getBytes(UTF_8),
                    "loans.csv",
                    2));
    assertTrue(e.getMessage().contains("'Written Off'"), e.getMessage());
    assertTrue(e.getMessage().contains("[Current, Fully Paid, Charged Off]"), e.getMessage());
  }

  @Test
  void aCsvColumnNamedTwiceIsADeadLetterNotASilentPick() {
    RejectedRecordException e =
        rejected(
            ErrorType.DUPLICATE_FIELD,
            () ->
                flightsParser.fromCsv(
                    List.of("date", "delay", "distance", "origin", "destination", "delay"),
                    "2001-01-01 06:05,5,500,LAX,SFO,999".getBytes(UTF_8),
                    "f.csv",
                    2));
    assertTrue(e.getMessage().contains("column 'delay' appears twice"), e.getMessage());
  }

  @Test
  void aRepeatedUnknownColumnIsIgnoredLikeAnyUnknownColumn() throws Exception {
    GenericRecord r =
        flightsParser.fromCsv(
            List.of("date", "delay", "distance", "origin", "destination", "note", "note"),
            "2001-01-01 06:05,5,500,LAX,SFO,a,b".getBytes(UTF_8),
            "f.csv",
            2);
    assertEquals(5L, r.get("delay"));
  }

  @Test
  void aJsonKeyGivenTwiceIsADeadLetterNotTheLastValue() {
    RejectedRecordException e =
        rejected(
            ErrorType.DUPLICATE_FIELD,
            () ->
                flightsParser.fromJson(
                    ("{\"date\":\"2001-01-01T06:05\",\"delay\":5,\"delay\":999,"
                            + "\"distance\":500,\"origin\":\"LAX\",\"destination\":\"SFO\"}")
                        .getBytes(UTF_8),
                    "f.jsonl",
                    1));
    assertTrue(e.getMessage().contains("key 'delay' appears twice"), e.getMessage());
  }

  @Test
  void aByteOrderMarkIsReadInJsonAsInCsv() throws Exception {
    String json =
        "\uFEFF{\"date\":\"2001-01-01T06:05\",\"delay\":5,\"distance\":500,"
            + "\"origin\":\"LAX\",\"destination\":\"SFO\"}";
    assertEquals(5L, flightsParser.fromJson(json.getBytes(UTF_8), "f.jsonl", 1).get("delay"));
    assertEquals(
        List.of("date", "delay"), RecordParser.parseCsvHeader("\uFEFFdate,delay".getBytes(UTF_8)));
  }

  @Test
  void contentTypeHeadersAreMatchedWithoutRegardToCaseOrParameters() {
    for (String value : List.of("Application/Avro", "APPLICATION/AVRO; v=1", " application/avro")) {
      RecordHeaders headers = new RecordHeaders();
      headers.add(KafkaPayloads.CONTENT_TYPE, value.getBytes(UTF_8));
      assertEquals(InputFormat.AVRO, KafkaPayloads.formatOf(headers, InputFormat.JSON), value);
    }
    RecordHeaders json = new RecordHeaders();
    json.add(KafkaPayloads.CONTENT_TYPE, "Application/JSON;charset=utf-8".getBytes(UTF_8));
    assertEquals(InputFormat.JSON, KafkaPayloads.formatOf(json, InputFormat.AVRO));
  }

  @Test
  void aHugeNumberIsRejectedBeforeAnyArithmeticInTimeLinearInItsLength() {
    String digits = "9".repeat(1 << 19); // 512 KiB of digits: minutes of BigDecimal work
    long start = System.nanoTime();
    RejectedRecordException e =
        rejected(
            ErrorType.NUMBER_TOO_LONG,
            () ->
                flightsParser.fromCsv(
                    List.of("date", "delay", "distance", "origin", "destination"),
                    ("2001-01-01 06:05,\"" + digits + "\",500,LAX,SFO").getBytes(UTF_8),
                    "f.csv",
                    2));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(e.getMessage().contains("'delay'"), e.getMessage());
    assertTrue(e.getMessage().length() < 300, "the reason quotes the value cut short");
    // generous: the parse of a 1 MiB line is a few milliseconds, the arithmetic would be minutes
    assertTrue(millis < 5_000, "took " + millis + " ms");
    // a long number that is not too long is still read
    assertEquals(
        ErrorType.OUT_OF_RANGE,
        assertThrows(
                RejectedRecordException.class,
                () ->
                    flightsParser.fromCsv(
                        List.of("date", "delay", "distance", "origin", "destination"),
                        ("2001-01-01 06:05," + "9".repeat(300) + ",500,LAX,SFO").getBytes(UTF_8),
                        "f.csv",
                        2))
            .errorType());
  }
}
