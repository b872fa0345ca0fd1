package org.beammlops.transforms.parse;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The Kafka message conventions of the use-case topics: the value is the use-case record as JSON or
 * Avro binary, the key its id, and a {@code content-type} header says which encoding it is.
 */
public final class KafkaPayloads {
  public static final String CONTENT_TYPE = "content-type";
  public static final String JSON = "application/json";
  public static final String AVRO = "application/avro";

  /** Header with the producer's wall-clock send time in epoch millis, for end-to-end latency. */
  public static final String SENT_AT = "sent-at";

  private KafkaPayloads() {}

  /** The content type header value of a format. */
  public static String contentType(InputFormat format) {
    return format == InputFormat.AVRO ? AVRO : JSON;
  }

  /** The format a message's header names, or the fallback when it names none. */
  public static InputFormat formatOf(Headers headers, InputFormat fallback) {
    if (headers == null) {
      return fallback;
    }
    Header header = headers.lastHeader(CONTENT_TYPE);
    if (header == null || header.value() == null) {
      return fallback;
    }
    // media types are case-insensitive and may carry parameters: Application/JSON; charset=utf-8
    String value = new String(header.value(), StandardCharsets.UTF_8);
    int parameters = value.indexOf(';');
    value =
        (parameters < 0 ? value : value.substring(0, parameters)).trim().toLowerCase(Locale.ROOT);
    if (value.equals(AVRO)) {
      return InputFormat.AVRO;
    }
    if (value.equals(JSON)) {
      return InputFormat.JSON;
    }
    return fallback;
  }
}
