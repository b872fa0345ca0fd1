package org.beammlops.local.tracking;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.mlflow_project.google.protobuf.Descriptors.Descriptor;
import org.mlflow_project.google.protobuf.Descriptors.EnumValueDescriptor;
import org.mlflow_project.google.protobuf.Descriptors.FieldDescriptor;
import org.mlflow_project.google.protobuf.Message;
import org.mlflow_project.google.protobuf.MessageOrBuilder;

/**
 * MLflow's JSON for its proto messages: snake_case field names, only the fields that are set, and
 * int64 fields as JSON numbers (MLflow's {@code message_to_json} undoes protobuf's habit of quoting
 * them). Requests are read the way MLflow's {@code _get_request_message} reads them: a JSON body,
 * or for GET the query string, with unknown fields ignored.
 */
final class ProtoJson {
  static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private ProtoJson() {}

  /** The JSON text of a response message, as MLflow's server writes it. */
  static String print(MessageOrBuilder message) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator json = MAPPER.getFactory().createGenerator(out)) {
      write(json, message);
    } catch (IOException e) {
      throw new MlflowError(MlflowError.INTERNAL_ERROR, "Cannot print response: " + e);
    }
    return out.toString();
  }

  // Like protobuf's JsonFormat with preservingProtoFieldNames, except int64 as numbers.
  private static void write(JsonGenerator json, MessageOrBuilder message) throws IOException {
    json.writeStartObject();
    for (Map.Entry<FieldDescriptor, Object> entry : message.getAllFields().entrySet()) {
      FieldDescriptor field = entry.getKey();
      json.writeFieldName(field.getName());
      if (field.isRepeated()) {
        json.writeStartArray();
        for (Object item : (List<?>) entry.getValue()) {
          writeValue(json, field, item);
        }
        json.writeEndArray();
      } else {
        writeValue(json, field, entry.getValue());
      }
    }
    json.writeEndObject();
  }

  private static void writeValue(JsonGenerator json, FieldDescriptor field, Object value)
      throws IOException {
    switch (field.getJavaType()) {
      case MESSAGE -> write(json, (MessageOrBuilder) value);
      case ENUM -> json.writeString(((EnumValueDescriptor) value).getName());
      case STRING -> json.writeString((String) value);
      case BOOLEAN -> json.writeBoolean((Boolean) value);
      case LONG -> json.writeNumber((Long) value);
      case INT -> json.writeNumber((Integer) value);
      case DOUBLE, FLOAT -> {
        double d = ((Number) value).doubleValue();
        if (Double.isNaN(d)) {
          json.writeString("NaN");
        } else if (Double.isInfinite(d)) {
          json.writeString(d > 0 ? "Infinity" : "-Infinity");
        } else if (field.getJavaType() == FieldDescriptor.JavaType.FLOAT) {
          json.writeNumber((Float) value);
        } else {
          json.writeNumber(d);
        }
      }
      case BYTE_STRING ->
          json.writeString(
              java.util.Base64.getEncoder()
                  .encodeToString(
                      ((org.mlflow_project.google.protobuf.ByteString) value).toByteArray()));
    }
  }

  /**
   * The request JSON of a GET: each query parameter the message knows becomes a field, a list for
   * repeated fields, a boolean for bool fields ({@code true}/{@code false} only).
   */
  static ObjectNode fromQuery(Map<String, List<String>> query, Descriptor descriptor) {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    for (FieldDescriptor field : descriptor.getFields()) {
      List<String> values = query.get(field.getName());
      if (values == null || values.isEmpty()) {
        continue;
      }
      if (field.isRepeated()) {
        ArrayNode array = json.putArray(field.getName());
        values.forEach(array::add);
      } else if (field.getJavaType() == FieldDescriptor.JavaType.BOOLEAN) {
        String v = values.get(0);
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
          throw MlflowError.invalid("Invalid boolean value: " + v + ", must be 'true' or 'false'.");
        }
        json.put(field.getName(), v.equalsIgnoreCase("true"));
      } else {
        json.put(field.getName(), values.get(0));
      }
    }
    return json;
  }

  /**
   * Fills {@code builder} from request JSON, ignoring unknown fields. A value of the wrong JSON
   * type is answered as MLflow's schema check answers it: INVALID_PARAMETER_VALUE naming the
   * parameter.
   */
  static <B extends Message.Builder> B parse(ObjectNode json, B builder) {
    fill(json, builder);
    return builder;
  }

  private static void fill(JsonNode json, Message.Builder builder) {
    Descriptor descriptor = builder.getDescriptorForType();
    Iterator<Map.Entry<String, JsonNode>> fields = json.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> entry = fields.next();
      FieldDescriptor field = descriptor.findFieldByName(entry.getKey());
      JsonNode value = entry.getValue();
      if (field == null || value.isNull()) {
        continue;
      }
      if (field.isRepeated()) {
        if (!value.isArray()) {
          throw wrongType(entry.getKey(), value);
        }
        for (JsonNode item : value) {
          builder.addRepeatedField(field, convert(entry.getKey(), field, item, builder));
        }
      } else {
        builder.setField(field, convert(entry.getKey(), field, value, builder));
      }
    }
  }

  private static Object convert(
      String name, FieldDescriptor field, JsonNode value, Message.Builder parent) {
    switch (field.getJavaType()) {
      case STRING:
        if (value.isTextual() || (name.startsWith("experiment_id") && value.isIntegralNumber())) {
          return value.asText();
        }
        throw wrongType(name, value);
      case DOUBLE:
      case FLOAT:
        double d;
        if (value.isNumber()) {
          d = value.doubleValue();
        } else if (value.isTextual()) {
          try {
            d = PyFloat.parse(value.asText());
          } catch (NumberFormatException e) {
            throw wrongType(name, value);
          }
        } else {
          throw wrongType(name, value);
        }
        return field.getJavaType() == FieldDescriptor.JavaType.FLOAT ? (Object) (float) d : d;
      case LONG:
      case INT:
        long l;
        if (value.isIntegralNumber() && value.canConvertToLong()) {
          l = value.longValue();
        } else if (value.isTextual() && value.asText().trim().matches("-?\\d{1,19}")) {
          try {
            l = Long.parseLong(value.asText().trim());
          } catch (NumberFormatException e) {
            throw wrongType(name, value);
          }
        } else {
          throw wrongType(name, value);
        }
        if (field.getJavaType() == FieldDescriptor.JavaType.INT) {
          if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
            throw wrongType(name, value);
          }
          return (int) l;
        }
        return l;
      case BOOLEAN:
        if (value.isBoolean()) {
          return value.booleanValue();
        }
        throw wrongType(name, value);
      case ENUM:
        EnumValueDescriptor e =
            value.isTextual()
                ? field.getEnumType().findValueByName(value.asText())
                : value.isIntegralNumber()
                    ? field.getEnumType().findValueByNumber(value.intValue())
                    : null;
        if (e == null) {
          throw wrongType(name, value);
        }
        return e;
      case MESSAGE:
        if (!value.isObject()) {
          throw wrongType(name, value);
        }
        Message.Builder child = parent.newBuilderForField(field);
        fill(value, child);
        return child.build();
      default:
        throw wrongType(name, value);
    }
  }

  private static MlflowError wrongType(String name, JsonNode value) {
    String pythonType =
        value.isTextual()
            ? "str"
            : value.isIntegralNumber()
                ? "int"
                : value.isNumber()
                    ? "float"
                    : value.isBoolean() ? "bool" : value.isArray() ? "list" : "dict";
    return MlflowError.invalid(
        "Invalid value "
            + (value.isTextual() ? value.asText() : value.toString())
            + " for parameter '"
            + name
            + "' supplied. Hint: Value was of type '"
            + pythonType
            + "'. See the API docs for more information about request parameters.");
  }
}
