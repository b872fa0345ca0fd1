package org.beammlops.transforms.drift;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.beammlops.schemas.DriftReport;

/**
 * A {@link DriftReport} as plain JSON, field for field: a null union is {@code null}, a timestamp
 * ISO-8601 text, and a number that is not finite {@code null} (JSON has no NaN), so any JSON reader
 * takes it.
 */
public final class DriftReportJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DriftReportJson() {}

  public static ObjectNode node(DriftReport report) {
    return record(report);
  }

  public static byte[] json(DriftReport report) {
    try {
      return JSON.writerWithDefaultPrettyPrinter()
          .writeValueAsString(node(report))
          .getBytes(StandardCharsets.UTF_8);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("drift report could not be written as JSON", e);
    }
  }

  private static ObjectNode record(SpecificRecord r) {
    ObjectNode node = JSON.createObjectNode();
    for (Schema.Field f : r.getSchema().getFields()) {
      node.set(f.name(), value(r.get(f.pos())));
    }
    return node;
  }

  private static JsonNode value(Object v) {
    if (v == null) {
      return JSON.nullNode();
    }
    if (v instanceof SpecificRecord r) {
      return record(r);
    }
    if (v instanceof Collection<?> c) {
      ArrayNode array = JSON.createArrayNode();
      c.forEach(x -> array.add(value(x)));
      return array;
    }
    if (v instanceof Double d) {
      return Double.isFinite(d) ? JSON.getNodeFactory().numberNode(d) : JSON.nullNode();
    }
    if (v instanceof Number n) {
      return JSON.getNodeFactory().numberNode(n.longValue());
    }
    if (v instanceof Boolean b) {
      return JSON.getNodeFactory().booleanNode(b);
    }
    if (v instanceof Instant t) {
      return JSON.getNodeFactory().textNode(t.toString());
    }
    return JSON.getNodeFactory().textNode(v.toString());
  }
}
