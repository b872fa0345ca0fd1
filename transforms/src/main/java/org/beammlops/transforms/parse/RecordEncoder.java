package org.beammlops.transforms.parse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.beammlops.schemas.usecase.FieldSpec;
import org.beammlops.schemas.usecase.UseCase;

/**
 * Encodes a lake record of a use case as a message payload, JSON or Avro binary, in exactly the
 * form {@link RecordParser} reads back. Labels can be left out: a scoring request carries none.
 */
public final class RecordEncoder implements Serializable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final UseCase useCase;
  private final boolean includeLabels;
  private transient GenericDatumWriter<GenericRecord> avroWriter;

  public RecordEncoder(UseCase useCase, boolean includeLabels) {
    this.useCase = useCase;
    this.includeLabels = includeLabels;
  }

  /** The record as a JSON object; timestamps as ISO-8601 local date-times in the use case zone. */
  public ObjectNode toJsonNode(GenericRecord record) {
    ObjectNode node = JSON.createObjectNode();
    ZoneId zone = useCase.timeZone();
    for (FieldSpec field : useCase.fields()) {
      if (!includeLabels && !useCase.isRequestField(field)) {
        continue;
      }
      Object value = record.get(field.name());
      if (value == null) {
        node.putNull(field.name());
      } else if (field.type() == FieldSpec.ValueType.TIMESTAMP_MILLIS) {
        node.put(
            field.name(),
            LocalDateTime.ofInstant(Instant.ofEpochMilli(((Number) value).longValue()), zone)
                .toString());
      } else if (value instanceof Number number) {
        node.putPOJO(field.name(), number);
      } else if (value instanceof Boolean bool) {
        node.put(field.name(), bool);
      } else {
        node.put(field.name(), value.toString());
      }
    }
    return node;
  }

  public byte[] toJson(GenericRecord record) {
    return toJsonNode(record).toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The record in Avro binary encoding of the use case's own schema (no provenance fields). */
  public byte[] toAvro(GenericRecord record) {
    Schema schema = useCase.schema();
    if (avroWriter == null) {
      avroWriter = new GenericDatumWriter<>(schema);
    }
    GenericData.Record out = new GenericData.Record(schema);
    for (Schema.Field field : schema.getFields()) {
      boolean dropped = !includeLabels && !useCase.isRequestField(useCase.field(field.name()));
      out.put(field.name(), dropped ? null : record.get(field.name()));
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
    try {
      avroWriter.write(out, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public byte[] encode(GenericRecord record, InputFormat format) {
    return format == InputFormat.AVRO ? toAvro(record) : toJson(record);
  }
}
