package org.beammlops.transforms.parse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.Serializable;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.beammlops.schemas.usecase.FieldSpec;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.deadletter.ErrorType;
import org.beammlops.transforms.deadletter.RejectedRecordException;

/**
 * Parses one record of a use case from CSV, JSON, Avro binary or a Parquet/Avro row into a typed
 * lake record, validating it against the annotated schema. Plain Java, so the Beam transforms, the
 * replay generator and the benchmarks' plain loop all share exactly the same rules.
 */
public final class RecordParser implements Serializable {
  /**
   * Records larger than this are rejected before parsing (a 10 MB line must not stall a worker).
   */
  public static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;

  /**
   * The longest id a record may carry, in characters. An id is copied into every output of a record
   * (its prediction's key and body, its feedback join, its dead letters), so a hostile 600 KB id
   * would otherwise make each of those too large for a topic.
   */
  public static final int MAX_ID_LENGTH = 256;

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  private static final CSVFormat CSV = CSVFormat.RFC4180.builder().setTrim(true).build();

  private final UseCase useCase;
  private final int maxRecordBytes;
  private final String timeZone;
  private transient Schema lakeSchema;
  private transient Set<String> knownFields;
  private transient GenericDatumReader<GenericRecord> avroReader;

  public RecordParser(UseCase useCase) {
    this(useCase, DEFAULT_MAX_RECORD_BYTES);
  }

  public RecordParser(UseCase useCase, int maxRecordBytes) {
    this.useCase = useCase;
    this.maxRecordBytes = maxRecordBytes;
    this.timeZone = useCase.timeZone().getId();
  }

  public UseCase useCase() {
    return useCase;
  }

  /** The header of a CSV source: column names in order. */
  public static List<String> parseCsvHeader(byte[] line) throws RejectedRecordException {
    String text = decodeUtf8(line);
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    List<String> header = new ArrayList<>();
    for (String column : csvValues(text)) {
      header.add(column.trim());
    }
    return header;
  }

  /** One CSV line read against its file's header. */
  public GenericRecord fromCsv(List<String> header, byte[] line, String source, long position)
      throws RejectedRecordException {
    checkSize(line);
    List<String> values = csvValues(decodeUtf8(line));
    if (values.size() != header.size()) {
      throw new RejectedRecordException(
          ErrorType.WRONG_COLUMN_COUNT,
          "expected " + header.size() + " columns " + header + " but found " + values.size());
    }
    checkUnknown(header);
    return build(
        name -> {
          int index = header.indexOf(name);
          return index < 0 ? null : values.get(index);
        },
        header::contains,
        line,
        source,
        position);
  }

  /** One JSON object (a JSON-lines line or a Kafka message). */
  public GenericRecord fromJson(byte[] bytes, String source, long position)
      throws RejectedRecordException {
    checkSize(bytes);
    String text = decodeUtf8(bytes);
    if (text.isBlank()) {
      throw new RejectedRecordException(ErrorType.EMPTY_RECORD, "empty record");
    }
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new RejectedRecordException(
          ErrorType.MALFORMED_JSON, "malformed JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new RejectedRecordException(ErrorType.MALFORMED_JSON, "JSON record is not an object");
    }
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    checkUnknown(names);
    return build(name -> jsonValue(node.get(name)), node::has, bytes, source, position);
  }

  /** One record in Avro binary encoding written with the use case's schema. */
  public GenericRecord fromAvro(byte[] bytes, String source, long position)
      throws RejectedRecordException {
    checkSize(bytes);
    if (bytes.length == 0) {
      throw new RejectedRecordException(ErrorType.EMPTY_RECORD, "empty record");
    }
    if (avroReader == null) {
      avroReader = new GenericDatumReader<>(useCase.schema());
    }
    GenericRecord decoded;
    try {
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
      decoded = avroReader.read(null, decoder);
      if (!decoder.isEnd()) {
        throw new RejectedRecordException(
            ErrorType.MALFORMED_AVRO, "Avro record followed by unread bytes");
      }
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
      throw new RejectedRecordException(
          ErrorType.MALFORMED_AVRO, "malformed Avro binary: " + e.getMessage());
    }
    return fromRow(decoded, source, position, bytes);
  }

  /**
   * One row read from a Parquet or Avro file with its own schema. Timestamps in micro- or
   * milliseconds are converted; the row's text form stands in for its bytes in ids and dead
   * letters.
   */
  public GenericRecord fromRow(GenericRecord row, String source, long position)
      throws RejectedRecordException {
    return fromRow(row, source, position, null);
  }

  private GenericRecord fromRow(GenericRecord row, String source, long position, byte[] original)
      throws RejectedRecordException {
    Schema rowSchema = row.getSchema();
    if (useCase.unknownFieldPolicy() == UseCase.UnknownFieldPolicy.REJECT) {
      List<String> names = new ArrayList<>();
      rowSchema.getFields().forEach(f -> names.add(f.name()));
      checkUnknown(names);
    }
    byte[] content = original != null ? original : rowBytes(row);
    return build(
        name -> {
          Schema.Field field = rowSchema.getField(name);
          return field == null ? null : rowValue(field.schema(), row.get(field.pos()));
        },
        name -> rowSchema.getField(name) != null,
        content,
        source,
        position);
  }

  /** The text form of a row, used as its "original bytes" in ids and dead letters. */
  public static byte[] rowBytes(GenericRecord row) {
    return GenericData.get().toString(row).getBytes(StandardCharsets.UTF_8);
  }

  private GenericRecord build(
      Function<String, Object> lookup,
      java.util.function.Predicate<String> present,
      byte[] content,
      String source,
      long position)
      throws RejectedRecordException {
    ZoneId zone = ZoneId.of(timeZone);
    GenericData.Record record = new GenericData.Record(lakeSchema());
    String id = null;
    for (FieldSpec field : useCase.fields()) {
      Object raw = lookup.apply(field.name());
      if (FieldValues.isMissing(raw)) {
        if (!field.nullable()) {
          throw new RejectedRecordException(
              ErrorType.MISSING_FIELD,
              "field '"
                  + field.name()
                  + "' is required but "
                  + (present.test(field.name()) ? "empty" : "absent"));
        }
        continue;
      }
      Object value = FieldValues.coerce(field, raw, zone);
      if (field.role() == FieldSpec.Role.ID) {
        id = value.toString();
        if (id.length() > MAX_ID_LENGTH) {
          throw new RejectedRecordException(
              ErrorType.ID_TOO_LONG,
              "id field '"
                  + field.name()
                  + "' is "
                  + id.length()
                  + " characters long; the most is "
                  + MAX_ID_LENGTH);
        }
      }
      record.put(field.name(), value);
    }
    if (id == null && useCase.idField().isPresent()) {
      record.put(
          useCase.idField().get().name(),
          StableIds.derive(StableIds.baseName(source), position, content));
    }
    record.put(UseCase.SOURCE_FIELD, source);
    record.put(UseCase.POSITION_FIELD, position);
    return record;
  }

  private Schema lakeSchema() {
    if (lakeSchema == null) {
      lakeSchema = useCase.lakeSchema();
    }
    return lakeSchema;
  }

  private void checkUnknown(List<String> names) throws RejectedRecordException {
    if (useCase.unknownFieldPolicy() != UseCase.UnknownFieldPolicy.REJECT) {
      return;
    }
    if (knownFields == null) {
      Set<String> known = new HashSet<>();
      useCase.fields().forEach(f -> known.add(f.name()));
      knownFields = known;
    }
    for (String name : names) {
      if (!knownFields.contains(name)) {
        throw new RejectedRecordException(
            ErrorType.UNKNOWN_FIELD,
            "field '" + name + "' is not in the " + useCase.name() + " schema");
      }
    }
  }

  private void checkSize(byte[] bytes) throws RejectedRecordException {
    if (bytes.length > maxRecordBytes) {
      throw new RejectedRecordException(
          ErrorType.RECORD_TOO_LARGE,
          "record of " + bytes.length + " bytes exceeds the limit of " + maxRecordBytes + " bytes");
    }
  }

  /** Strict UTF-8: invalid bytes are an error, never silently replaced. */
  public static String decodeUtf8(byte[] bytes) throws RejectedRecordException {
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new RejectedRecordException(ErrorType.NOT_UTF8, "bytes are not valid UTF-8");
    }
  }

  private static List<String> csvValues(String line) throws RejectedRecordException {
    try (CSVParser parser = CSVParser.parse(new StringReader(line), CSV)) {
      Iterator<CSVRecord> records = parser.iterator();
      if (!records.hasNext()) {
        throw new RejectedRecordException(ErrorType.EMPTY_RECORD, "empty CSV line");
      }
      CSVRecord record = records.next();
      if (records.hasNext()) {
        throw new RejectedRecordException(
            ErrorType.MALFORMED_CSV, "more than one CSV record on a line");
      }
      return record.toList();
    } catch (IOException | java.io.UncheckedIOException | IllegalStateException e) {
      throw new RejectedRecordException(
          ErrorType.MALFORMED_CSV, "malformed CSV line: " + e.getMessage());
    }
  }

  private static Object jsonValue(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToLong() ? (Object) node.longValue() : node.decimalValue();
    }
    if (node.isNumber()) {
      double d = node.doubleValue();
      return Double.isFinite(d) ? node.decimalValue() : d;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    return new JsonShape(node.getNodeType().name().toLowerCase());
  }

  /** A JSON object or array where a scalar was expected: rejected as the wrong type. */
  private record JsonShape(String kind) {
    @Override
    public String toString() {
      return "<" + kind + ">";
    }
  }

  private static Object rowValue(Schema schema, Object value) {
    if (value == null) {
      return null;
    }
    if (schema.getType() == Schema.Type.UNION) {
      for (Schema branch : schema.getTypes()) {
        if (branch.getType() != Schema.Type.NULL) {
          schema = branch;
          break;
        }
      }
    }
    LogicalType logical = schema.getLogicalType();
    if (value instanceof Long micros
        && (logical instanceof LogicalTypes.TimestampMicros
            || logical instanceof LogicalTypes.LocalTimestampMicros)) {
      return Math.floorDiv(micros, 1000L);
    }
    if (value instanceof Map<?, ?> || value instanceof List<?> || value instanceof GenericRecord) {
      return new JsonShape(schema.getType().getName());
    }
    return value;
  }
}
