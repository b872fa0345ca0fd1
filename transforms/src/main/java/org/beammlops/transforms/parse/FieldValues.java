package org.beammlops.transforms.parse;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.regex.Pattern;
import org.beammlops.schemas.usecase.FieldSpec;
import org.beammlops.transforms.deadletter.ErrorType;
import org.beammlops.transforms.deadletter.RejectedRecordException;

/**
 * Turns one raw field value (text from CSV, a scalar from JSON, an object from Avro or Parquet)
 * into the typed value its {@link FieldSpec} asks for, and checks the schema's bounds and pattern.
 * Strict on purpose: {@code 12abc}, {@code 12.5.3}, NaN, infinities and impossible dates are
 * rejected with a reason that names the field.
 */
public final class FieldValues {
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern NON_FINITE =
      Pattern.compile("[+-]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);

  /**
   * The longest text a number may have, in characters: room for any double written out in full (309
   * digits) with sign, point and exponent. Longer text is rejected before it is parsed, since
   * {@link BigDecimal} work grows with the square of the digits.
   */
  public static final int MAX_NUMBER_LENGTH = 400;

  private static final Pattern EPOCH_MILLIS = Pattern.compile("-?\\d{10,15}");

  /**
   * Local date-times in the shapes data sets use: ISO, space-separated, slashes; strict calendar.
   */
  private static final DateTimeFormatter LOCAL_DATE_TIME =
      new DateTimeFormatterBuilder()
          .appendValue(ChronoField.YEAR, 4)
          .optionalStart()
          .appendLiteral('-')
          .optionalEnd()
          .optionalStart()
          .appendLiteral('/')
          .optionalEnd()
          .appendValue(ChronoField.MONTH_OF_YEAR, 2)
          .optionalStart()
          .appendLiteral('-')
          .optionalEnd()
          .optionalStart()
          .appendLiteral('/')
          .optionalEnd()
          .appendValue(ChronoField.DAY_OF_MONTH, 2)
          .optionalStart()
          .optionalStart()
          .appendLiteral('T')
          .optionalEnd()
          .optionalStart()
          .appendLiteral(' ')
          .optionalEnd()
          .appendValue(ChronoField.HOUR_OF_DAY, 2)
          .appendLiteral(':')
          .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
          .optionalStart()
          .appendLiteral(':')
          .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true)
          .optionalEnd()
          .optionalEnd()
          .optionalEnd()
          .optionalStart()
          .appendOffsetId()
          .optionalEnd()
          .toFormatter(Locale.ROOT)
          .withResolverStyle(ResolverStyle.STRICT)
          .withChronology(java.time.chrono.IsoChronology.INSTANCE);

  private static final java.util.concurrent.ConcurrentHashMap<String, Long> BOUNDS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private FieldValues() {}

  /** True for a value that means "absent": null or blank text. */
  public static boolean isMissing(Object raw) {
    return raw == null || (raw instanceof CharSequence text && text.toString().isBlank());
  }

  /**
   * Coerces a present raw value to the field's Avro value (Long, Integer, Double, Float, Boolean,
   * String, or epoch millis for timestamps) and validates it.
   */
  public static Object coerce(FieldSpec field, Object raw, ZoneId zone)
      throws RejectedRecordException {
    Object value;
    switch (field.type()) {
      case LONG:
        value = toLong(field, raw);
        break;
      case INT:
        long asLong = toLong(field, raw);
        if (asLong < Integer.MIN_VALUE || asLong > Integer.MAX_VALUE) {
          throw reject(ErrorType.OUT_OF_RANGE, field, raw, "does not fit a 32-bit integer");
        }
        value = (int) asLong;
        break;
      case DOUBLE:
        value = toDouble(field, raw);
        break;
      case FLOAT:
        double wide = toDouble(field, raw);
        if (Math.abs(wide) > Float.MAX_VALUE) {
          throw reject(ErrorType.OUT_OF_RANGE, field, raw, "does not fit a 32-bit float");
        }
        value = (float) wide;
        break;
      case BOOLEAN:
        value = toBoolean(field, raw);
        break;
      case STRING:
        value = toText(field, raw);
        break;
      case TIMESTAMP_MILLIS:
        value = toEpochMillis(field, raw, zone);
        break;
      default:
        throw new AssertionError(field.type());
    }
    checkBounds(field, value, raw);
    return value;
  }

  private static long toLong(FieldSpec field, Object raw) throws RejectedRecordException {
    if (raw instanceof Long || raw instanceof Integer || raw instanceof Short) {
      return ((Number) raw).longValue();
    }
    BigDecimal decimal = toDecimal(field, raw);
    if (decimal.stripTrailingZeros().scale() > 0) {
      throw reject(ErrorType.NOT_INTEGER, field, raw, "is not a whole number");
    }
    try {
      return decimal.longValueExact();
    } catch (ArithmeticException e) {
      throw reject(ErrorType.OUT_OF_RANGE, field, raw, "does not fit a 64-bit integer");
    }
  }

  private static double toDouble(FieldSpec field, Object raw) throws RejectedRecordException {
    if (raw instanceof Double || raw instanceof Float) {
      double d = ((Number) raw).doubleValue();
      if (!Double.isFinite(d)) {
        throw reject(ErrorType.NOT_FINITE, field, raw, "is not a finite number");
      }
      return d;
    }
    if (raw instanceof Long || raw instanceof Integer) {
      return ((Number) raw).doubleValue();
    }
    double d = toDecimal(field, raw).doubleValue();
    if (!Double.isFinite(d)) {
      throw reject(ErrorType.NOT_FINITE, field, raw, "overflows a double");
    }
    return d;
  }

  private static BigDecimal toDecimal(FieldSpec field, Object raw) throws RejectedRecordException {
    if (raw instanceof BigDecimal decimal) {
      if (decimal.precision() > MAX_NUMBER_LENGTH) {
        throw reject(
            ErrorType.NUMBER_TOO_LONG,
            field,
            raw,
            "has more than " + MAX_NUMBER_LENGTH + " digits, the most a number may have");
      }
      return decimal;
    }
    if (raw instanceof Double || raw instanceof Float) {
      double d = ((Number) raw).doubleValue();
      if (!Double.isFinite(d)) {
        throw reject(ErrorType.NOT_FINITE, field, raw, "is not a finite number");
      }
      return BigDecimal.valueOf(d);
    }
    if (raw instanceof Number number) {
      return new BigDecimal(number.toString());
    }
    if (!(raw instanceof CharSequence)) {
      throw reject(ErrorType.WRONG_TYPE, field, raw, "is not a number");
    }
    if (((CharSequence) raw).length() > MAX_NUMBER_LENGTH) {
      throw reject(
          ErrorType.NUMBER_TOO_LONG,
          field,
          raw,
          "is longer than " + MAX_NUMBER_LENGTH + " characters, the most a number may have");
    }
    String text = raw.toString().trim();
    if (NON_FINITE.matcher(text).matches()) {
      throw reject(ErrorType.NOT_FINITE, field, raw, "is not a finite number");
    }
    if (!DECIMAL.matcher(text).matches()) {
      throw reject(ErrorType.MALFORMED_NUMBER, field, raw, "is not a number");
    }
    try {
      return new BigDecimal(text);
    } catch (NumberFormatException e) {
      throw reject(ErrorType.MALFORMED_NUMBER, field, raw, "is not a number");
    }
  }

  private static boolean toBoolean(FieldSpec field, Object raw) throws RejectedRecordException {
    if (raw instanceof Boolean b) {
      return b;
    }
    String text = raw.toString().trim().toLowerCase(Locale.ROOT);
    if (text.equals("true")) {
      return true;
    }
    if (text.equals("false")) {
      return false;
    }
    throw reject(ErrorType.WRONG_TYPE, field, raw, "is not true or false");
  }

  private static String toText(FieldSpec field, Object raw) throws RejectedRecordException {
    if (!(raw instanceof CharSequence)) {
      throw reject(ErrorType.WRONG_TYPE, field, raw, "is not text");
    }
    return raw.toString();
  }

  private static long toEpochMillis(FieldSpec field, Object raw, ZoneId zone)
      throws RejectedRecordException {
    if (raw instanceof Long || raw instanceof Integer) {
      return ((Number) raw).longValue();
    }
    if (raw instanceof Instant instant) {
      return instant.toEpochMilli();
    }
    if (raw instanceof LocalDateTime local) {
      return local.atZone(zone).toInstant().toEpochMilli();
    }
    if (!(raw instanceof CharSequence)) {
      throw reject(ErrorType.WRONG_TYPE, field, raw, "is not a timestamp");
    }
    String text = raw.toString().trim();
    if (EPOCH_MILLIS.matcher(text).matches()) {
      return Long.parseLong(text);
    }
    return parseTimestamp(text, zone)
        .orElseThrow(
            () ->
                reject(
                    ErrorType.MALFORMED_TIMESTAMP,
                    field,
                    raw,
                    "is not a valid timestamp (expected e.g. 2001-01-31T06:05[:00][Z])"));
  }

  /** Parses a timestamp in any accepted shape; empty if it is malformed or impossible. */
  public static java.util.Optional<Long> parseTimestamp(String text, ZoneId zone) {
    try {
      var parsed =
          LOCAL_DATE_TIME.parseBest(
              text, OffsetDateTime::from, LocalDateTime::from, LocalDate::from);
      if (parsed instanceof OffsetDateTime offset) {
        return java.util.Optional.of(offset.toInstant().toEpochMilli());
      }
      if (parsed instanceof LocalDateTime local) {
        return java.util.Optional.of(local.atZone(zone).toInstant().toEpochMilli());
      }
      return java.util.Optional.of(
          ((LocalDate) parsed).atStartOfDay(zone).toInstant().toEpochMilli());
    } catch (DateTimeException e) {
      return java.util.Optional.empty();
    }
  }

  private static void checkBounds(FieldSpec field, Object value, Object raw)
      throws RejectedRecordException {
    if (value instanceof Number number && field.type() != FieldSpec.ValueType.TIMESTAMP_MILLIS) {
      double d = number.doubleValue();
      if (field.min().isPresent() && d < field.min().get()) {
        throw reject(
            ErrorType.OUT_OF_RANGE, field, raw, "is below the minimum " + plain(field.min().get()));
      }
      if (field.max().isPresent() && d > field.max().get()) {
        throw reject(
            ErrorType.OUT_OF_RANGE, field, raw, "is above the maximum " + plain(field.max().get()));
      }
    }
    if (field.type() == FieldSpec.ValueType.TIMESTAMP_MILLIS) {
      long millis = (Long) value;
      if (field.minText().isPresent() && millis < bound(field.minText().get(), Long.MIN_VALUE)) {
        throw reject(ErrorType.OUT_OF_RANGE, field, raw, "is before " + field.minText().get());
      }
      if (field.maxText().isPresent() && millis > bound(field.maxText().get(), Long.MAX_VALUE)) {
        throw reject(ErrorType.OUT_OF_RANGE, field, raw, "is after " + field.maxText().get());
      }
    }
    if (value instanceof String text
        && field.pattern().isPresent()
        && !field.pattern().get().matcher(text).matches()) {
      throw reject(
          ErrorType.PATTERN_MISMATCH, field, raw, "does not match " + field.pattern().get());
    }
  }

  /** A timestamp bound from the schema, parsed once (UTC); the fallback if it does not parse. */
  private static long bound(String text, long fallback) {
    return BOUNDS.computeIfAbsent(text, t -> parseTimestamp(t, ZoneId.of("UTC")).orElse(fallback));
  }

  private static String plain(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  static RejectedRecordException reject(ErrorType type, FieldSpec field, Object raw, String what) {
    return new RejectedRecordException(
        type, "field '" + field.name() + "': value " + quote(raw) + " " + what);
  }

  /** Quotes a value for a reason text, cut short so a huge value cannot flood the message. */
  static String quote(Object raw) {
    String text = String.valueOf(raw);
    if (text.length() > 60) {
      text = text.substring(0, 60) + "…(" + text.length() + " chars)";
    }
    return raw instanceof CharSequence ? "'" + text + "'" : text;
  }
}
