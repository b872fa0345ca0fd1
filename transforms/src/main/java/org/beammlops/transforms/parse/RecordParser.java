package org.beammlops.transforms.parse;

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

  private static final CSVFormat CSV = CSVFormat.RFC4180.builder().setTrim(true).build();

  private final UseCase useCase;
  private final int maxRecordBytes;
  private final String timeZone;
  private transient Schema lakeSchema;
  private transient Set<String> knownFields;
  private transient Map<String, Set<String>> labelClasses;
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
    String text = withoutBom(decodeUtf8(line));
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
    checkNoRepeats(header, "column");
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

  /** A column or key named twice is rejected when it names a field: neither value is picked. */
  private void checkNoRepeats(List<String> names, String what) throws RejectedRecordException {
    Set<String> seen = new HashSet<>();
    for (String name : names) {
      if (!seen.add(name) && knownFields().contains(name)) {
        throw new RejectedRecordException(
            ErrorType.DUPLICATE_FIELD, what + " '" + name + "' appears twice");
      }
    }
  }

  /** One JSON object (a JSON-lines line or a Kafka message). */
  public GenericRecord fromJson(byte[] bytes, String source, long position)
      throws RejectedRecordException {
    checkSize(bytes);
    String text = withoutBom(decodeUtf8(bytes));
    if (text.isBlank()) {
      throw new RejectedRecordException(ErrorType.EMPTY_RECORD, "empty record");
    }
    Map<String, Object> values = JsonObjects.read(text);
    checkUnknown(new ArrayList<>(values.keySet()));
    return build(values::get, values::containsKey, bytes, source, position);
  }

  /** The text without a leading UTF-8 byte order mark, which some exporters write. */
  static String withoutBom(String text) {
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
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
      String given = null;
      for (String name : field.sourceNames()) {
        if (present.test(name)) {
          if (given != null) {
            throw new RejectedRecordException(
                ErrorType.DUPLICATE_FIELD,
                "field '"
                    + field.name()
                    + "' is given twice, as '"
                    + given
                    + "' and as '"
                    + name
                    + "'");
          }
          given = name;
        }
      }
      Object raw = given == null ? null : lookup.apply(given);
      if (FieldValues.isMissing(raw)) {
        if (!field.nullable()) {
          throw new RejectedRecordException(
              ErrorType.MISSING_FIELD,
              "field '"
                  + field.name()
                  + "'"
                  + (field.sourceNames().size() > 1
                      ? " (column "
                          + field.sourceNames().subList(1, field.sourceNames().size())
                          + ")"
                      : "")
                  + " is required but "
                  + (given != null ? "empty" : "absent"));
        }
        continue;
      }
      Object value = FieldValues.coerce(field, raw, zone);
      checkClass(field, value);
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

  /** A label outside the classes a task declares for it is a dead letter, not a new class. */
  private void checkClass(FieldSpec field, Object value) throws RejectedRecordException {
    if (labelClasses == null) {
      Map<String, Set<String>> classes = new java.util.HashMap<>();
      useCase.fields().forEach(f -> classes.put(f.name(), useCase.labelClasses(f.name())));
      labelClasses = classes;
    }
    Set<String> classes = labelClasses.get(field.name());
    if (!classes.isEmpty() && !classes.contains(value.toString())) {
      throw new RejectedRecordException(
          ErrorType.UNKNOWN_CLASS,
          "field '"
              + field.name()
              + "': value "
              + FieldValues.quote(value)
              + " is not one of the declared classes "
              + classes);
    }
  }

  /** Every name a record may use for a field: the field names and their source names. */
  private Set<String> knownFields() {
    if (knownFields == null) {
      Set<String> known = new HashSet<>();
      useCase.fields().forEach(f -> known.addAll(f.sourceNames()));
      knownFields = known;
    }
    return knownFields;
  }

  private void checkUnknown(List<String> names) throws RejectedRecordException {
    if (useCase.unknownFieldPolicy() != UseCase.UnknownFieldPolicy.REJECT) {
      return;
    }
    for (String name : names) {
      if (!knownFields().contains(name)) {
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

  /** A JSON object or array where a scalar was expected: rejected as the wrong type. */
  record JsonShape(String kind) {
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
