package org.beammlops.transforms.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Optional;
import org.beammlops.schemas.usecase.FieldSpec;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.deadletter.ErrorType;
import org.beammlops.transforms.deadletter.RejectedRecordException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The value rules on field types the flights use case does not have: int, double, float, bool. */
class FieldValuesTest {
  private static final ZoneId UTC = ZoneId.of("UTC");
  private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

  @TempDir static Path dir;
  private static String previousPath;
  private static UseCase types;

  @BeforeAll
  static void writeUseCase() throws IOException {
    Path ucDir = Files.createDirectories(dir.resolve("types"));
    Files.writeString(ucDir.resolve("usecase.yaml"), "name: types\nschema: types.avsc\n");
    Files.writeString(
        ucDir.resolve("types.avsc"),
        """
        {"type": "record", "name": "Types", "fields": [
          {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"},
           "mlops": {"role": "event_time", "min": "2000-01-01T00:00:00"}},
          {"name": "count", "type": "int", "mlops": {"role": "feature"}},
          {"name": "ratio", "type": "double", "mlops": {"role": "feature", "min": 0, "max": 1}},
          {"name": "weight", "type": "float", "mlops": {"role": "feature"}},
          {"name": "flag", "type": "boolean", "mlops": {"role": "feature"}},
          {"name": "code", "type": "string", "mlops": {"role": "feature", "pattern": "[a-z]+"}}
        ]}
        """);
    previousPath = System.getProperty("mlops.usecase.path");
    System.setProperty("mlops.usecase.path", dir.toString());
    types = UseCases.load("types");
  }

  @AfterAll
  static void restorePath() {
    if (previousPath == null) {
      System.clearProperty("mlops.usecase.path");
    } else {
      System.setProperty("mlops.usecase.path", previousPath);
    }
  }

  private static FieldSpec field(String name) {
    return types.field(name);
  }

  private static ErrorType rejection(String fieldName, Object raw) {
    RejectedRecordException e =
        assertThrows(
            RejectedRecordException.class,
            () -> FieldValues.coerce(field(fieldName), raw, UTC),
            fieldName + " = " + raw);
    assertTrue(e.getMessage().contains("'" + fieldName + "'"), e.getMessage());
    return e.errorType();
  }

  @Test
  void missingValues() {
    assertTrue(FieldValues.isMissing(null));
    assertTrue(FieldValues.isMissing(""));
    assertTrue(FieldValues.isMissing("  \t"));
    assertFalse(FieldValues.isMissing("0"));
    assertFalse(FieldValues.isMissing(0L));
    assertFalse(FieldValues.isMissing(false));
  }

  @Test
  void ints() throws Exception {
    assertEquals(42, FieldValues.coerce(field("count"), "42", UTC));
    assertEquals(42, FieldValues.coerce(field("count"), 42L, UTC));
    assertEquals(-7, FieldValues.coerce(field("count"), " -7 ", UTC));
    assertEquals(ErrorType.OUT_OF_RANGE, rejection("count", "3000000000"));
    assertEquals(ErrorType.OUT_OF_RANGE, rejection("count", 3_000_000_000L));
    assertEquals(ErrorType.NOT_INTEGER, rejection("count", "1.5"));
    assertEquals(ErrorType.MALFORMED_NUMBER, rejection("count", "1_000"));
    assertEquals(ErrorType.NOT_FINITE, rejection("count", Double.NaN));
  }

  @Test
  void doubles() throws Exception {
    assertEquals(0.25, FieldValues.coerce(field("ratio"), "0.25", UTC));
    assertEquals(0.25, FieldValues.coerce(field("ratio"), ".25", UTC));
    assertEquals(0.5, FieldValues.coerce(field("ratio"), new BigDecimal("0.5"), UTC));
    assertEquals(1.0, FieldValues.coerce(field("ratio"), 1L, UTC));
    assertEquals(ErrorType.NOT_FINITE, rejection("ratio", "NaN"));
    assertEquals(ErrorType.NOT_FINITE, rejection("ratio", Double.POSITIVE_INFINITY));
    assertEquals(ErrorType.NOT_FINITE, rejection("ratio", "1e400"));
    assertEquals(ErrorType.OUT_OF_RANGE, rejection("ratio", "1.0001"));
    assertEquals(ErrorType.OUT_OF_RANGE, rejection("ratio", "-0.1"));
    assertEquals(ErrorType.MALFORMED_NUMBER, rejection("ratio", "0,5"));
    assertEquals(ErrorType.WRONG_TYPE, rejection("ratio", true));
  }

  @Test
  void floats() throws Exception {
    assertEquals(1.5f, FieldValues.coerce(field("weight"), "1.5", UTC));
    assertEquals(ErrorType.NOT_FINITE, rejection("weight", "-inf"));
  }

  @Test
  void floatOverflowIsNotStoredAsInfinity() {
    // 1e300 is a finite double but overflows a float: it must not reach the lake as Infinity,
    // which the parser promises never to let through.
    ErrorType type = rejection("weight", "1e300");
    assertTrue(type == ErrorType.NOT_FINITE || type == ErrorType.OUT_OF_RANGE, type.name());
  }

  @Test
  void booleans() throws Exception {
    assertEquals(true, FieldValues.coerce(field("flag"), "TRUE", UTC));
    assertEquals(false, FieldValues.coerce(field("flag"), " false ", UTC));
    assertEquals(true, FieldValues.coerce(field("flag"), Boolean.TRUE, UTC));
    assertEquals(ErrorType.WRONG_TYPE, rejection("flag", "yes"));
    assertEquals(ErrorType.WRONG_TYPE, rejection("flag", "1"));
  }

  @Test
  void strings() throws Exception {
    assertEquals("abc", FieldValues.coerce(field("code"), "abc", UTC));
    assertEquals(ErrorType.PATTERN_MISMATCH, rejection("code", "abc1"));
    assertEquals(ErrorType.WRONG_TYPE, rejection("code", 12L));
    assertEquals(ErrorType.WRONG_TYPE, rejection("code", false));
  }

  @Test
  void timestampsInTheUseCaseZone() throws Exception {
    // 06:05 in Paris in winter is 05:05 UTC.
    long utc0505 = Instant.parse("2001-01-01T05:05:00Z").toEpochMilli();
    assertEquals(utc0505, FieldValues.coerce(field("at"), "2001-01-01 06:05", PARIS));
    assertEquals(utc0505, FieldValues.coerce(field("at"), "2001-01-01T05:05:00Z", PARIS));
    assertEquals(
        utc0505, FieldValues.coerce(field("at"), LocalDateTime.of(2001, 1, 1, 6, 5), PARIS));
    assertEquals(
        utc0505, FieldValues.coerce(field("at"), Instant.parse("2001-01-01T05:05:00Z"), PARIS));
    assertEquals(utc0505, FieldValues.coerce(field("at"), utc0505, PARIS));
    assertEquals(ErrorType.OUT_OF_RANGE, rejection("at", "1999-12-31 23:59"));
    assertEquals(ErrorType.MALFORMED_TIMESTAMP, rejection("at", "31/12/2001"));
    assertEquals(ErrorType.WRONG_TYPE, rejection("at", 1.5));
  }

  @Test
  void parseTimestampShapes() {
    long expected = Instant.parse("2001-03-04T05:06:07Z").toEpochMilli();
    assertEquals(Optional.of(expected), FieldValues.parseTimestamp("2001-03-04T05:06:07", UTC));
    assertEquals(Optional.of(expected), FieldValues.parseTimestamp("2001-03-04 05:06:07", UTC));
    assertEquals(Optional.of(expected), FieldValues.parseTimestamp("2001/03/04 05:06:07", UTC));
    assertEquals(
        Optional.of(expected + 123), FieldValues.parseTimestamp("2001-03-04T05:06:07.123Z", UTC));
    assertEquals(Optional.empty(), FieldValues.parseTimestamp("2001-02-29", UTC));
    assertEquals(Optional.empty(), FieldValues.parseTimestamp("2001-04-31 00:00", UTC));
    assertEquals(Optional.empty(), FieldValues.parseTimestamp("2001-01-01 24:00", UTC));
    assertEquals(Optional.empty(), FieldValues.parseTimestamp("", UTC));
  }

  @Test
  void quoteCutsLongValues() {
    String quoted = FieldValues.quote("y".repeat(1000));
    assertTrue(quoted.length() < 100, quoted);
    assertTrue(quoted.contains("1000 chars"), quoted);
    assertEquals("'abc'", FieldValues.quote("abc"));
    assertEquals("12", FieldValues.quote(12L));
  }
}
