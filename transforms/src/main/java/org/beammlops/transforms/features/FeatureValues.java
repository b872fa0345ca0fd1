package org.beammlops.transforms.features;

import java.time.Instant;
import java.time.ZoneId;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.schemas.usecase.DerivedFeature;

/**
 * Reads feature values from records: the one place fitting, vectorizing and profiling get them
 * from, so training, serving and drift checks see the same values.
 */
public final class FeatureValues {
  private FeatureValues() {}

  /** The field's value, or null when the record's schema has no such field. */
  public static Object raw(GenericRecord record, String field) {
    Schema.Field f = record.getSchema().getField(field);
    return f == null ? null : record.get(f.pos());
  }

  /** A numeric value; null when missing, not a number, or not finite. */
  public static Double numeric(GenericRecord record, String field) {
    Object value = raw(record, field);
    double x;
    if (value instanceof Number n) {
      x = n.doubleValue();
    } else if (value instanceof Boolean b) {
      x = b ? 1.0 : 0.0;
    } else if (value instanceof Instant i) {
      x = i.toEpochMilli();
    } else {
      return null;
    }
    return Double.isFinite(x) ? x : null;
  }

  /**
   * A categorical value as text: the field's value, or the derived feature's computed from it; null
   * when missing.
   */
  public static String category(
      GenericRecord record, String source, DerivedFeature.Function function, ZoneId zone) {
    Object value = raw(record, source);
    if (value == null) {
      return null;
    }
    if (function != null) {
      long millis;
      if (value instanceof Number n) {
        millis = n.longValue();
      } else if (value instanceof Instant i) {
        millis = i.toEpochMilli();
      } else {
        return null;
      }
      return Integer.toString(function.apply(millis, zone));
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      return Double.isFinite(d) ? Double.toString(d) : null;
    }
    return value.toString();
  }
}
