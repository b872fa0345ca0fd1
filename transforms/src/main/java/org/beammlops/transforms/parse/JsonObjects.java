package org.beammlops.transforms.parse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.beammlops.transforms.deadletter.ErrorType;
import org.beammlops.transforms.deadletter.RejectedRecordException;

/**
 * Reads one JSON object of scalars with Jackson's streaming parser: a key given twice is a {@link
 * ErrorType#DUPLICATE_FIELD} (a tree model would keep the last value silently), a nested object or
 * array is kept as its shape so that it is rejected as the wrong type, and anything after the
 * object is malformed.
 */
final class JsonObjects {
  /** The one JSON configuration of the parsers: NaN and infinities read, to be rejected by name. */
  static final JsonFactory FACTORY =
      JsonFactory.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private JsonObjects() {}

  /** The object's keys and scalar values: text, Long, BigDecimal, Double (non-finite), Boolean. */
  static Map<String, Object> read(String text) throws RejectedRecordException {
    try (JsonParser parser = FACTORY.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new RejectedRecordException(ErrorType.MALFORMED_JSON, "JSON record is not an object");
      }
      Map<String, Object> values = new LinkedHashMap<>();
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String key = parser.currentName();
        parser.nextToken();
        Object value = value(parser);
        if (values.containsKey(key)) {
          throw new RejectedRecordException(
              ErrorType.DUPLICATE_FIELD, "key '" + key + "' appears twice");
        }
        values.put(key, value);
      }
      if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
        throw new RejectedRecordException(
            ErrorType.MALFORMED_JSON, "malformed JSON: more after the object");
      }
      return values;
    } catch (StreamReadException e) {
      throw new RejectedRecordException(
          ErrorType.MALFORMED_JSON, "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new RejectedRecordException(ErrorType.MALFORMED_JSON, "malformed JSON: " + e);
    }
  }

  private static Object value(JsonParser parser) throws IOException {
    switch (parser.currentToken()) {
      case VALUE_NULL:
        return null;
      case VALUE_STRING:
        return parser.getText();
      case VALUE_NUMBER_INT:
        return parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            ? parser.getDecimalValue()
            : (Object) parser.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return parser.isNaN() ? (Object) parser.getDoubleValue() : parser.getDecimalValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case START_OBJECT:
      case START_ARRAY:
        String kind = parser.currentToken() == JsonToken.START_OBJECT ? "object" : "array";
        parser.skipChildren();
        return new RecordParser.JsonShape(kind);
      default:
        throw new com.fasterxml.jackson.core.JsonParseException(
            parser, "unexpected " + parser.currentToken());
    }
  }
}
