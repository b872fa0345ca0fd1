package org.beammlops.transforms.parse;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.deadletter.ErrorType;
import org.beammlops.transforms.deadletter.RejectedRecordException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RecordParserTest {
  private static final List<String> HEADER =
      List.of("date", "delay", "distance", "origin", "destination");

  /** 2001-01-01T06:05:00Z in epoch milliseconds. */
  private static final long JAN1_0605 = 978329100000L;

  private static UseCase flights;
  private static RecordParser parser;

  @BeforeAll
  static void load() {
    flights = UseCases.load("flights");
    parser = new RecordParser(flights);
  }

  private static GenericRecord csv(String line) throws RejectedRecordException {
    return parser.fromCsv(HEADER, line.getBytes(UTF_8), "test.csv", 2);
  }

  private static GenericRecord json(String text) throws RejectedRecordException {
    return parser.fromJson(text.getBytes(UTF_8), "test.jsonl", 1);
  }

  private static String jsonLine(
      String date, String delay, String distance, String origin, String destination) {
    return "{\"date\":"
        + date
        + ",\"delay\":"
        + delay
        + ",\"distance\":"
        + distance
        + ",\"origin\":"
        + origin
        + ",\"destination\":"
        + destination
        + "}";
  }

  /** Asserts the error type and, when a field is at fault, that the reason names it. */
  private static RejectedRecordException assertRejected(
      ErrorType expected, String field, Executable parse) {
    RejectedRecordException e = assertThrows(RejectedRecordException.class, parse::run);
    assertEquals(expected, e.errorType(), e.getMessage());
    assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "a reason is given");
    if (field != null) {
      assertTrue(
          e.getMessage().contains("'" + field + "'"),
          "reason should name field '" + field + "': " + e.getMessage());
    }
    return e;
  }

  private interface Executable {
    void run() throws Throwable;
  }

  // ---------------------------------------------------------------- valid input

  @Test
  void validCsvLine() throws Exception {
    GenericRecord r = csv("2001-01-01 06:05,12,500,LAX,SFO");
    assertEquals(JAN1_0605, r.get("date"));
    assertEquals(12L, r.get("delay"));
    assertEquals(500L, r.get("distance"));
    assertEquals("LAX", r.get("origin"));
    assertEquals("SFO", r.get("destination"));
    assertEquals("test.csv", r.get(UseCase.SOURCE_FIELD));
    assertEquals(2L, r.get(UseCase.POSITION_FIELD));
    String id = r.get("id").toString();
    assertTrue(id.matches("[0-9a-f]{20}"), id);
    assertEquals(flights.lakeSchema(), r.getSchema());
    assertTrue(GenericData.get().validate(flights.lakeSchema(), r));
  }

  @ParameterizedTest
  @MethodSource("validTimestamps")
  void validTimestampShapes(String date, long expectedMillis) throws Exception {
    GenericRecord r = csv(date + ",12,500,LAX,SFO");
    assertEquals(expectedMillis, r.get("date"), date);
  }

  static Stream<Arguments> validTimestamps() {
    return Stream.of(
        Arguments.of("2001-01-01 06:05", JAN1_0605),
        Arguments.of("2001-01-01T06:05", JAN1_0605),
        Arguments.of("2001-01-01T06:05:00", JAN1_0605),
        Arguments.of("2001/01/01 06:05", JAN1_0605),
        Arguments.of("2001-01-01T06:05:00Z", JAN1_0605),
        Arguments.of("2001-01-01T08:05:00+02:00", JAN1_0605),
        Arguments.of("2001-01-01T06:05:00.000", JAN1_0605),
        Arguments.of("2001-01-01", JAN1_0605 - (6 * 60 + 5) * 60_000L),
        Arguments.of("978329100000", JAN1_0605),
        Arguments.of("2000-02-29 06:05", 951804300000L));
  }

  @Test
  void csvColumnsInAnyOrderWithExtraColumnsAndQuotes() throws Exception {
    List<String> header = List.of("origin", "carrier", "destination", "distance", "delay", "date");
    GenericRecord r =
        parser.fromCsv(
            header,
            "\"LAX\",\"UA, Inc\",SFO, 500 ,-3,2001-01-01 06:05".getBytes(UTF_8),
            "x.csv",
            7);
    assertEquals("LAX", r.get("origin"));
    assertEquals("SFO", r.get("destination"));
    assertEquals(500L, r.get("distance"));
    assertEquals(-3L, r.get("delay"));
    assertEquals(JAN1_0605, r.get("date"));
  }

  @Test
  void csvEmptyLabelIsNull() throws Exception {
    GenericRecord r = csv("2001-01-01 06:05,,500,LAX,SFO");
    assertNull(r.get("delay"));
  }

  @Test
  void csvHeaderWithBomAndSpaces() throws Exception {
    byte[] bytes = "\uFEFFdate, delay ,distance,origin,destination".getBytes(UTF_8);
    assertEquals(HEADER, RecordParser.parseCsvHeader(bytes));
  }

  @Test
  void csvBoundaryValuesAreAccepted() throws Exception {
    GenericRecord low = csv("1987-01-01 00:00,-1440,1,AAA,ZZZ");
    assertEquals(1L, low.get("distance"));
    assertEquals(-1440L, low.get("delay"));
    GenericRecord high = csv("2100-01-01 00:00,2880,10000,AAA,ZZZ");
    assertEquals(10000L, high.get("distance"));
    assertEquals(2880L, high.get("delay"));
    // A whole number written with a fraction or an exponent is still a whole number.
    assertEquals(500L, csv("2001-01-01 06:05,12,500.0,LAX,SFO").get("distance"));
    assertEquals(500L, csv("2001-01-01 06:05,12,5e2,LAX,SFO").get("distance"));
  }

  @Test
  void validJsonWithEpochMillis() throws Exception {
    GenericRecord r = json(jsonLine("978329100000", "12", "500", "\"LAX\"", "\"SFO\""));
    assertEquals(JAN1_0605, r.get("date"));
    assertEquals(12L, r.get("delay"));
    assertEquals(500L, r.get("distance"));
    assertEquals("LAX", r.get("origin"));
    assertEquals("SFO", r.get("destination"));
    assertEquals("test.jsonl", r.get(UseCase.SOURCE_FIELD));
    assertEquals(1L, r.get(UseCase.POSITION_FIELD));
    assertTrue(r.get("id").toString().matches("[0-9a-f]{20}"));
  }

  @Test
  void validJsonWithTextDateAndNullDelay() throws Exception {
    GenericRecord r =
        json(jsonLine("\"2001-01-01T06:05:00\"", "null", "500", "\"LAX\"", "\"SFO\""));
    assertEquals(JAN1_0605, r.get("date"));
    assertNull(r.get("delay"));
    GenericRecord absent =
        json(
            "{\"date\":\"2001-01-01 06:05\",\"distance\":500,\"origin\":\"LAX\","
                + "\"destination\":\"SFO\"}");
    assertNull(absent.get("delay"));
    assertEquals(500L, absent.get("distance"));
  }

  @Test
  void jsonUnknownFieldsAreIgnoredForFlights() throws Exception {
    GenericRecord r =
        json(
            "{\"date\":978329100000,\"delay\":1,\"distance\":500,\"origin\":\"LAX\","
                + "\"destination\":\"SFO\",\"carrier\":\"UA\"}");
    assertEquals("LAX", r.get("origin"));
  }

  private static byte[] avroBinary(GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static GenericRecord flightRecord(String id, Long delay) {
    GenericRecord record = new GenericData.Record(flights.schema());
    record.put("id", id);
    record.put("date", JAN1_0605);
    record.put("delay", delay);
    record.put("distance", 500L);
    record.put("origin", "LAX");
    record.put("destination", "SFO");
    return record;
  }

  @Test
  void validAvroBinary() throws Exception {
    byte[] bytes = avroBinary(flightRecord(null, 12L));
    GenericRecord r = parser.fromAvro(bytes, "flights.requests-0", 42);
    assertEquals(JAN1_0605, r.get("date"));
    assertEquals(12L, r.get("delay"));
    assertEquals(500L, r.get("distance"));
    assertEquals("LAX", r.get("origin").toString());
    assertEquals("SFO", r.get("destination").toString());
    assertEquals("flights.requests-0", r.get(UseCase.SOURCE_FIELD));
    assertEquals(42L, r.get(UseCase.POSITION_FIELD));
    assertEquals(StableIds.derive("flights.requests-0", 42, bytes), r.get("id").toString());
  }

  @Test
  void avroWithIdAndNullDelay() throws Exception {
    GenericRecord r = parser.fromAvro(avroBinary(flightRecord("req-7", null)), "t-0", 1);
    assertEquals("req-7", r.get("id").toString());
    assertNull(r.get("delay"));
  }

  @Test
  void avroFollowedByGarbageIsMalformed() throws Exception {
    byte[] good = avroBinary(flightRecord(null, 12L));
    byte[] withGarbage = Arrays.copyOf(good, good.length + 3);
    withGarbage[good.length] = 'x';
    withGarbage[good.length + 1] = 'y';
    withGarbage[good.length + 2] = 'z';
    assertRejected(ErrorType.MALFORMED_AVRO, null, () -> parser.fromAvro(withGarbage, "t-0", 1));
  }

  @Test
  void truncatedOrRandomAvroIsMalformed() throws Exception {
    byte[] good = avroBinary(flightRecord("abc", 12L));
    byte[] truncated = Arrays.copyOf(good, good.length - 3);
    assertRejected(ErrorType.MALFORMED_AVRO, null, () -> parser.fromAvro(truncated, "t-0", 1));
    // Union branch index 7 of a two-branch union.
    byte[] badUnion = {14, 0, 0};
    assertRejected(ErrorType.MALFORMED_AVRO, null, () -> parser.fromAvro(badUnion, "t-0", 2));
    // A string whose length runs past the end of the buffer.
    byte[] longString = {2, (byte) 0xd0, 0x0f, 'a'};
    assertRejected(ErrorType.MALFORMED_AVRO, null, () -> parser.fromAvro(longString, "t-0", 3));
    assertRejected(ErrorType.EMPTY_RECORD, null, () -> parser.fromAvro(new byte[0], "t-0", 4));
  }

  @Test
  void avroValuesAreValidatedToo() throws Exception {
    GenericRecord record = flightRecord(null, 12L);
    record.put("distance", 0L);
    assertRejected(
        ErrorType.OUT_OF_RANGE, "distance", () -> parser.fromAvro(avroBinary(record), "t-0", 1));
    record.put("distance", 500L);
    record.put("origin", "lax");
    assertRejected(
        ErrorType.PATTERN_MISMATCH, "origin", () -> parser.fromAvro(avroBinary(record), "t-0", 1));
  }

  /** A row as Parquet files of the real data give it: the date in timestamp-micros. */
  private static Schema parquetRowSchema() {
    Schema micros = LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
    return SchemaBuilder.record("schema")
        .fields()
        .name("date")
        .type(micros)
        .noDefault()
        .name("delay")
        .type()
        .optional()
        .longType()
        .name("distance")
        .type()
        .optional()
        .longType()
        .name("origin")
        .type()
        .optional()
        .stringType()
        .name("destination")
        .type()
        .optional()
        .stringType()
        .endRecord();
  }

  @Test
  void parquetRowWithTimestampMicros() throws Exception {
    GenericRecord row = new GenericData.Record(parquetRowSchema());
    row.put("date", 978307260000000L);
    row.put("delay", -2L);
    row.put("distance", 337L);
    row.put("origin", new org.apache.avro.util.Utf8("LAX"));
    row.put("destination", "SFO");
    GenericRecord r = parser.fromRow(row, "/data/flights-3m.parquet", 1);
    assertEquals(978307260000L, r.get("date"));
    assertEquals(-2L, r.get("delay"));
    assertEquals(337L, r.get("distance"));
    assertEquals("LAX", r.get("origin").toString());
    assertEquals("SFO", r.get("destination").toString());
    assertEquals(
        StableIds.derive("flights-3m.parquet", 1, RecordParser.rowBytes(row)),
        r.get("id").toString());
  }

  @Test
  void parquetRowWithLocalTimestampMicrosAndBadValue() throws Exception {
    Schema localMicros =
        LogicalTypes.localTimestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
    Schema schema =
        SchemaBuilder.record("schema")
            .fields()
            .name("date")
            .type(localMicros)
            .noDefault()
            .name("distance")
            .type()
            .longType()
            .noDefault()
            .name("origin")
            .type()
            .stringType()
            .noDefault()
            .name("destination")
            .type()
            .stringType()
            .noDefault()
            .endRecord();
    GenericRecord row = new GenericData.Record(schema);
    row.put("date", 978307260000000L);
    row.put("distance", 337L);
    row.put("origin", "LAX");
    row.put("destination", "SFO");
    assertEquals(978307260000L, parser.fromRow(row, "f.parquet", 1).get("date"));
    row.put("distance", 20000L);
    assertRejected(ErrorType.OUT_OF_RANGE, "distance", () -> parser.fromRow(row, "f.parquet", 2));
  }

  // ---------------------------------------------------------------- ids

  @Test
  void derivedIdIsStableAndDependsOnPosition() throws Exception {
    byte[] line = "2001-01-01 06:05,12,500,LAX,SFO".getBytes(UTF_8);
    String a = parser.fromCsv(HEADER, line, "/in/a/test.csv", 5).get("id").toString();
    String again =
        new RecordParser(flights).fromCsv(HEADER, line, "/in/a/test.csv", 5).get("id").toString();
    assertEquals(a, again);
    // Only the file's base name counts, so moving a folder keeps the ids.
    assertEquals(a, parser.fromCsv(HEADER, line, "/moved/test.csv", 5).get("id").toString());
    assertEquals(a, StableIds.derive("test.csv", 5, line));
    assertNotEquals(a, parser.fromCsv(HEADER, line, "/in/a/test.csv", 6).get("id").toString());
    assertNotEquals(a, parser.fromCsv(HEADER, line, "/in/a/other.csv", 5).get("id").toString());
    byte[] other = "2001-01-01 06:05,13,500,LAX,SFO".getBytes(UTF_8);
    assertNotEquals(a, parser.fromCsv(HEADER, other, "/in/a/test.csv", 5).get("id").toString());
  }

  @Test
  void explicitIdIsUsedAsIs() throws Exception {
    List<String> header = List.of("id", "date", "delay", "distance", "origin", "destination");
    GenericRecord r =
        parser.fromCsv(header, "flight-42,2001-01-01 06:05,12,500,LAX,SFO".getBytes(UTF_8), "a", 1);
    assertEquals("flight-42", r.get("id"));
    GenericRecord j =
        json(
            "{\"id\":\"req-1\",\"date\":978329100000,\"distance\":500,\"origin\":\"LAX\","
                + "\"destination\":\"SFO\"}");
    assertEquals("req-1", j.get("id"));
    // An empty id column falls back to a derived id.
    GenericRecord derived =
        parser.fromCsv(header, ",2001-01-01 06:05,12,500,LAX,SFO".getBytes(UTF_8), "a", 1);
    assertTrue(derived.get("id").toString().matches("[0-9a-f]{20}"));
  }

  // ---------------------------------------------------------------- bad input

  @Test
  void anIdLongerThanTheMaximumIsRejectedWithoutQuotingIt() throws Exception {
    String atLimit = "i".repeat(RecordParser.MAX_ID_LENGTH);
    String line =
        "{\"id\":\"%s\",\"date\":978329100000,\"distance\":500,\"origin\":\"LAX\","
            + "\"destination\":\"SFO\"}";
    assertEquals(atLimit, json(line.formatted(atLimit)).get("id"));
    String hostile = "x".repeat(600 * 1024);
    RejectedRecordException e =
        assertRejected(ErrorType.ID_TOO_LONG, "id", () -> json(line.formatted(hostile)));
    assertTrue(
        e.getMessage().length() < 200, "the reason does not carry the id: " + e.getMessage());
    assertTrue(e.getMessage().contains(Integer.toString(600 * 1024)), e.getMessage());
    // 200 KB of (escaped) control characters as the id: the same rule.
    String controls = "\\u0001".repeat(200 * 1024 / 6);
    assertRejected(ErrorType.ID_TOO_LONG, "id", () -> json(line.formatted(controls)));
  }

  @Test
  void truncatedCsvLine() {
    assertRejected(ErrorType.WRONG_COLUMN_COUNT, null, () -> csv("2001-01-01 06:05,12,5"));
  }

  @Test
  void truncatedJson() {
    assertRejected(
        ErrorType.MALFORMED_JSON,
        null,
        () -> json("{\"date\":\"2001-01-01 06:05\",\"delay\":12,\"dist"));
    assertRejected(ErrorType.MALFORMED_JSON, null, () -> json("{\"date\":\"2001-01-01 06:05\""));
  }

  @Test
  void jsonThatIsNotAnObject() {
    assertRejected(ErrorType.MALFORMED_JSON, null, () -> json("[1,2,3]"));
    assertRejected(ErrorType.MALFORMED_JSON, null, () -> json("\"text\""));
    assertRejected(ErrorType.MALFORMED_JSON, null, () -> json("not json"));
  }

  @Test
  void jsonWithTrailingContentIsMalformed() {
    // Two records run together (a lost newline) must not silently keep the first and drop the
    // second; CSV rejects the same case as MALFORMED_CSV.
    String one = jsonLine("978329100000", "12", "500", "\"LAX\"", "\"SFO\"");
    assertRejected(ErrorType.MALFORMED_JSON, null, () -> json(one + one));
    assertRejected(ErrorType.MALFORMED_JSON, null, () -> json(one + " garbage"));
  }

  @Test
  void tooFewAndTooManyColumns() {
    RejectedRecordException few =
        assertRejected(ErrorType.WRONG_COLUMN_COUNT, null, () -> csv("2001-01-01 06:05,12,500"));
    assertTrue(few.getMessage().contains("5"), few.getMessage());
    assertRejected(
        ErrorType.WRONG_COLUMN_COUNT, null, () -> csv("2001-01-01 06:05,12,500,LAX,SFO,extra"));
    assertRejected(ErrorType.WRONG_COLUMN_COUNT, null, () -> csv("2001-01-01 06:05"));
  }

  @ParameterizedTest
  @MethodSource("malformedNumbers")
  void malformedNumbers(String value, String field) {
    String line =
        field.equals("distance")
            ? "2001-01-01 06:05,12," + value + ",LAX,SFO"
            : "2001-01-01 06:05," + value + ",500,LAX,SFO";
    assertRejected(ErrorType.MALFORMED_NUMBER, field, () -> csv(line));
  }

  static Stream<Arguments> malformedNumbers() {
    return Stream.of(
        Arguments.of("12.5.3", "distance"),
        Arguments.of("12abc", "distance"),
        Arguments.of("abc", "distance"),
        Arguments.of("0x10", "distance"),
        Arguments.of("--5", "delay"),
        Arguments.of("12abc", "delay"),
        Arguments.of("12.5.3", "delay"),
        Arguments.of("1e", "delay"));
  }

  @Test
  void malformedNumbersInJson() {
    assertRejected(
        ErrorType.MALFORMED_NUMBER,
        "distance",
        () -> json(jsonLine("978329100000", "12", "\"12abc\"", "\"LAX\"", "\"SFO\"")));
    assertRejected(
        ErrorType.MALFORMED_NUMBER,
        "delay",
        () -> json(jsonLine("978329100000", "\"12.5.3\"", "500", "\"LAX\"", "\"SFO\"")));
  }

  @Test
  void fractionForLongField() {
    assertRejected(
        ErrorType.NOT_INTEGER, "distance", () -> csv("2001-01-01 06:05,12,12.5,LAX,SFO"));
    assertRejected(ErrorType.NOT_INTEGER, "delay", () -> csv("2001-01-01 06:05,12.5,500,LAX,SFO"));
    assertRejected(
        ErrorType.NOT_INTEGER,
        "distance",
        () -> json(jsonLine("978329100000", "12", "12.5", "\"LAX\"", "\"SFO\"")));
  }

  @Test
  void emptyRequiredFields() {
    assertRejected(ErrorType.MISSING_FIELD, "distance", () -> csv("2001-01-01 06:05,12,,LAX,SFO"));
    assertRejected(ErrorType.MISSING_FIELD, "date", () -> csv(",12,500,LAX,SFO"));
    assertRejected(ErrorType.MISSING_FIELD, "origin", () -> csv("2001-01-01 06:05,12,500, ,SFO"));
    assertRejected(
        ErrorType.MISSING_FIELD, "destination", () -> csv("2001-01-01 06:05,12,500,LAX,\"\""));
    assertRejected(
        ErrorType.MISSING_FIELD,
        "origin",
        () -> json(jsonLine("978329100000", "12", "500", "null", "\"SFO\"")));
    assertRejected(
        ErrorType.MISSING_FIELD,
        "origin",
        () -> json(jsonLine("978329100000", "12", "500", "\"\"", "\"SFO\"")));
    RejectedRecordException absent =
        assertRejected(
            ErrorType.MISSING_FIELD,
            "distance",
            () -> json("{\"date\":978329100000,\"origin\":\"LAX\",\"destination\":\"SFO\"}"));
    assertTrue(absent.getMessage().contains("absent"), absent.getMessage());
    RejectedRecordException absentColumn =
        assertRejected(
            ErrorType.MISSING_FIELD,
            "distance",
            () ->
                parser.fromCsv(
                    List.of("date", "delay", "origin", "destination"),
                    "2001-01-01 06:05,12,LAX,SFO".getBytes(UTF_8),
                    "a.csv",
                    2));
    assertTrue(absentColumn.getMessage().contains("absent"), absentColumn.getMessage());
  }

  @ParameterizedTest
  @MethodSource("nonFiniteTexts")
  void nonFiniteInCsv(String value) {
    assertRejected(
        ErrorType.NOT_FINITE, "distance", () -> csv("2001-01-01 06:05,12," + value + ",LAX,SFO"));
    assertRejected(
        ErrorType.NOT_FINITE, "delay", () -> csv("2001-01-01 06:05," + value + ",500,LAX,SFO"));
  }

  static Stream<String> nonFiniteTexts() {
    return Stream.of("NaN", "nan", "Infinity", "-Infinity", "+Infinity", "inf", "-inf");
  }

  @ParameterizedTest
  @MethodSource("nonFiniteJsonTokens")
  void nonFiniteJsonTokens(String token) {
    assertRejected(
        ErrorType.NOT_FINITE,
        "distance",
        () -> json(jsonLine("978329100000", "12", token, "\"LAX\"", "\"SFO\"")));
    assertRejected(
        ErrorType.NOT_FINITE,
        "delay",
        () -> json(jsonLine("978329100000", token, "500", "\"LAX\"", "\"SFO\"")));
  }

  static Stream<String> nonFiniteJsonTokens() {
    return Stream.of("NaN", "Infinity", "-Infinity", "\"NaN\"", "\"Infinity\"");
  }

  @Test
  void outOfRangeValues() {
    RejectedRecordException zero =
        assertRejected(
            ErrorType.OUT_OF_RANGE, "distance", () -> csv("2001-01-01 06:05,12,0,LAX,SFO"));
    assertTrue(zero.getMessage().contains("minimum 1"), zero.getMessage());
    RejectedRecordException big =
        assertRejected(
            ErrorType.OUT_OF_RANGE, "distance", () -> csv("2001-01-01 06:05,12,10001,LAX,SFO"));
    assertTrue(big.getMessage().contains("maximum 10000"), big.getMessage());
    assertRejected(ErrorType.OUT_OF_RANGE, "delay", () -> csv("2001-01-01 06:05,3000,500,LAX,SFO"));
    assertRejected(
        ErrorType.OUT_OF_RANGE, "delay", () -> csv("2001-01-01 06:05,-1441,500,LAX,SFO"));
    assertRejected(
        ErrorType.OUT_OF_RANGE,
        "delay",
        () -> json(jsonLine("978329100000", "3000", "500", "\"LAX\"", "\"SFO\"")));
  }

  @Test
  void hugeWholeNumberIsOutOfRangeNotNotInteger() {
    // 99999999999999999999 is a whole number, just too large for the field: OUT_OF_RANGE is the
    // category a dead-letter query would look under, as for 10001.
    assertRejected(
        ErrorType.OUT_OF_RANGE,
        "distance",
        () -> csv("2001-01-01 06:05,12,99999999999999999999,LAX,SFO"));
    assertRejected(
        ErrorType.OUT_OF_RANGE,
        "distance",
        () -> json(jsonLine("978329100000", "12", "99999999999999999999", "\"LAX\"", "\"SFO\"")));
  }

  @Test
  void patternMismatch() {
    RejectedRecordException e =
        assertRejected(
            ErrorType.PATTERN_MISMATCH, "origin", () -> csv("2001-01-01 06:05,12,500,ab1,SFO"));
    assertTrue(e.getMessage().contains("ab1"), e.getMessage());
    assertRejected(
        ErrorType.PATTERN_MISMATCH, "origin", () -> csv("2001-01-01 06:05,12,500,ABCD,SFO"));
    assertRejected(
        ErrorType.PATTERN_MISMATCH, "destination", () -> csv("2001-01-01 06:05,12,500,LAX,sfo"));
    assertRejected(
        ErrorType.PATTERN_MISMATCH, "destination", () -> csv("2001-01-01 06:05,12,500,LAX,SF"));
  }

  @ParameterizedTest
  @MethodSource("malformedTimestamps")
  void malformedTimestamps(String date) {
    assertRejected(ErrorType.MALFORMED_TIMESTAMP, "date", () -> csv(date + ",12,500,LAX,SFO"));
    assertRejected(
        ErrorType.MALFORMED_TIMESTAMP,
        "date",
        () -> json(jsonLine("\"" + date + "\"", "12", "500", "\"LAX\"", "\"SFO\"")));
  }

  static Stream<String> malformedTimestamps() {
    return Stream.of(
        "2001-02-30 10:00",
        "2001-02-29 10:00",
        "2001-13-01T00:00",
        "yesterday",
        "2001-01-01 25:00",
        "2001-01-01 10:60",
        "01/01/2001 06:05",
        "2001-1-1 6:05",
        "2001-01-01 06:05 PM");
  }

  @Test
  void wrongTypeForTimestampInJson() {
    assertRejected(
        ErrorType.WRONG_TYPE,
        "date",
        () -> json(jsonLine("{\"y\":2001}", "12", "500", "\"LAX\"", "\"SFO\"")));
    assertRejected(
        ErrorType.WRONG_TYPE,
        "date",
        () -> json(jsonLine("true", "12", "500", "\"LAX\"", "\"SFO\"")));
  }

  @Test
  void dateOutsideBounds() {
    RejectedRecordException early =
        assertRejected(
            ErrorType.OUT_OF_RANGE, "date", () -> csv("1986-12-31 23:59,12,500,LAX,SFO"));
    assertTrue(early.getMessage().contains("1987"), early.getMessage());
    assertRejected(
        ErrorType.OUT_OF_RANGE, "date", () -> csv("1970-01-01T00:00:00Z,12,500,LAX,SFO"));
    assertRejected(ErrorType.OUT_OF_RANGE, "date", () -> csv("2100-01-01 00:01,12,500,LAX,SFO"));
    assertRejected(
        ErrorType.OUT_OF_RANGE,
        "date",
        () -> json(jsonLine("0", "12", "500", "\"LAX\"", "\"SFO\"")));
  }

  @Test
  void unbalancedQuote() {
    assertRejected(ErrorType.MALFORMED_CSV, null, () -> csv("2001-01-01 06:05,12,500,\"LAX,SFO"));
    assertRejected(
        ErrorType.MALFORMED_CSV, null, () -> csv("2001-01-01 06:05,12,500,\"LAX\"X,SFO"));
  }

  @Test
  void notUtf8() {
    byte[] csvBytes = "2001-01-01 06:05,12,500,LAX,SFO".getBytes(UTF_8);
    csvBytes[24] = (byte) 0xC3;
    csvBytes[25] = (byte) 0x28;
    assertRejected(ErrorType.NOT_UTF8, null, () -> parser.fromCsv(HEADER, csvBytes, "a.csv", 2));
    byte[] jsonBytes = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, 0x28, '"', '}'};
    assertRejected(ErrorType.NOT_UTF8, null, () -> parser.fromJson(jsonBytes, "a.json", 1));
    byte[] latin1 = {(byte) 0xE9};
    assertRejected(ErrorType.NOT_UTF8, null, () -> RecordParser.decodeUtf8(latin1));
    // An encoded surrogate half (CESU-8) is not UTF-8 either.
    byte[] surrogate = {(byte) 0xED, (byte) 0xA0, (byte) 0x80};
    assertRejected(ErrorType.NOT_UTF8, null, () -> RecordParser.decodeUtf8(surrogate));
  }

  @Test
  void emptyRecord() {
    assertRejected(ErrorType.EMPTY_RECORD, null, () -> csv(""));
    assertRejected(ErrorType.EMPTY_RECORD, null, () -> json(""));
    assertRejected(ErrorType.EMPTY_RECORD, null, () -> json("   "));
  }

  @Test
  void wrongJsonTypes() {
    assertRejected(
        ErrorType.WRONG_TYPE,
        "distance",
        () -> json(jsonLine("978329100000", "12", "{\"miles\":500}", "\"LAX\"", "\"SFO\"")));
    assertRejected(
        ErrorType.WRONG_TYPE,
        "distance",
        () -> json(jsonLine("978329100000", "12", "[500]", "\"LAX\"", "\"SFO\"")));
    assertRejected(
        ErrorType.WRONG_TYPE,
        "delay",
        () -> json(jsonLine("978329100000", "{}", "500", "\"LAX\"", "\"SFO\"")));
    assertRejected(
        ErrorType.WRONG_TYPE,
        "distance",
        () -> json(jsonLine("978329100000", "12", "true", "\"LAX\"", "\"SFO\"")));
    assertRejected(
        ErrorType.WRONG_TYPE,
        "origin",
        () -> json(jsonLine("978329100000", "12", "500", "123", "\"SFO\"")));
    assertRejected(
        ErrorType.WRONG_TYPE,
        "origin",
        () -> json(jsonLine("978329100000", "12", "500", "[\"LAX\"]", "\"SFO\"")));
    assertRejected(
        ErrorType.WRONG_TYPE,
        "destination",
        () -> json(jsonLine("978329100000", "12", "500", "\"LAX\"", "{\"code\":\"SFO\"}")));
  }

  @Test
  void recordTooLarge() throws Exception {
    RecordParser small = new RecordParser(flights, 64);
    byte[] big = ("2001-01-01 06:05,12,500,LAX,SFO" + " ".repeat(100)).getBytes(UTF_8);
    assertRejected(ErrorType.RECORD_TOO_LARGE, null, () -> small.fromCsv(HEADER, big, "a", 2));
    assertRejected(ErrorType.RECORD_TOO_LARGE, null, () -> small.fromJson(big, "a", 2));
    assertRejected(ErrorType.RECORD_TOO_LARGE, null, () -> small.fromAvro(big, "a", 2));
    byte[] huge = new byte[RecordParser.DEFAULT_MAX_RECORD_BYTES + 1];
    Arrays.fill(huge, (byte) 'x');
    RejectedRecordException e =
        assertRejected(ErrorType.RECORD_TOO_LARGE, null, () -> parser.fromJson(huge, "a", 1));
    assertTrue(e.getMessage().length() < 200, "the reason does not echo the record");
    // At the limit exactly, the record is parsed.
    byte[] line = "2001-01-01 06:05,12,500,LAX,SFO".getBytes(UTF_8);
    RecordParser exactLimit = new RecordParser(flights, line.length);
    assertEquals(500L, exactLimit.fromCsv(HEADER, line, "a", 2).get("distance"));
  }

  @Test
  void longValuesAreQuotedShortInReasons() {
    String longValue = "X".repeat(500);
    RejectedRecordException e =
        assertRejected(
            ErrorType.PATTERN_MISMATCH,
            "origin",
            () -> csv("2001-01-01 06:05,12,500," + longValue + ",SFO"));
    assertTrue(e.getMessage().length() < 300, e.getMessage());
  }

  @Test
  void unknownFieldsRejectedWhenTheUseCaseSaysSo(@TempDir Path dir) throws Exception {
    Path ucDir = Files.createDirectories(dir.resolve("strict"));
    Files.writeString(
        ucDir.resolve("usecase.yaml"),
        "name: strict\nschema: strict.avsc\nunknownFields: reject\n");
    Files.writeString(
        ucDir.resolve("strict.avsc"),
        "{\"type\":\"record\",\"name\":\"S\",\"fields\":["
            + "{\"name\":\"at\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"},"
            + "\"mlops\":{\"role\":\"event_time\"}},"
            + "{\"name\":\"x\",\"type\":\"double\",\"mlops\":{\"role\":\"feature\"}}]}");
    String previous = System.getProperty("mlops.usecase.path");
    System.setProperty("mlops.usecase.path", dir.toString());
    try {
      RecordParser strict = new RecordParser(UseCases.load("strict"));
      GenericRecord ok = strict.fromJson("{\"at\":978329100000,\"x\":1.5}".getBytes(UTF_8), "s", 1);
      assertEquals(1.5, ok.get("x"));
      assertRejected(
          ErrorType.UNKNOWN_FIELD,
          "y",
          () -> strict.fromJson("{\"at\":978329100000,\"x\":1.5,\"y\":2}".getBytes(UTF_8), "s", 1));
      assertRejected(
          ErrorType.UNKNOWN_FIELD,
          "y",
          () ->
              strict.fromCsv(List.of("at", "x", "y"), "978329100000,1,2".getBytes(UTF_8), "s", 1));
      assertRejected(
          ErrorType.NOT_FINITE,
          "x",
          () -> strict.fromJson("{\"at\":978329100000,\"x\":NaN}".getBytes(UTF_8), "s", 1));
    } finally {
      if (previous == null) {
        System.clearProperty("mlops.usecase.path");
      } else {
        System.setProperty("mlops.usecase.path", previous);
      }
    }
  }
}
