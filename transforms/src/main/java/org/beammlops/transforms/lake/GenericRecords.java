package org.beammlops.transforms.lake;

import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecordBase;

/** Plain generic copies of generated records, which Parquet's generic writer can write. */
public final class GenericRecords {
  private GenericRecords() {}

  /** A copy with {@link Instant} fields as epoch millis (Parquet's generic writer wants those). */
  public static GenericRecord toGeneric(SpecificRecordBase specific) {
    Schema schema = specific.getSchema();
    GenericData.Record record = new GenericData.Record(schema);
    for (Schema.Field field : schema.getFields()) {
      Object value = specific.get(field.pos());
      record.put(field.pos(), value instanceof Instant instant ? instant.toEpochMilli() : value);
    }
    return record;
  }

  /** Epoch millis of a timestamp field read either as {@link Instant} or as a long. */
  public static long millis(Object value) {
    return value instanceof Instant instant ? instant.toEpochMilli() : (Long) value;
  }
}
