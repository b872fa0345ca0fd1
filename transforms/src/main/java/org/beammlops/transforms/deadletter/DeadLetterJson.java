package org.beammlops.transforms.deadletter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.transforms.parse.RecordParser;
import org.beammlops.transforms.parse.RejectedRecordException;

/**
 * The JSON form of a dead letter on the {@code <uc>.dlq} topic: readable by people, with the
 * original bytes in base64 (and as text too when they are valid UTF-8).
 *
 * <p>A payload over {@value #MAX_TOPIC_PAYLOAD_BYTES} bytes is cut to that size on the topic and
 * marked {@code payloadTruncated}: a Kafka message has a size limit (1 MB by default), and a dead
 * letter that cannot be published would stop the pipeline that rejected the record. The dead letter
 * in the lake keeps every byte.
 */
public final class DeadLetterJson {
  /** The most payload bytes a dead letter carries on the topic. */
  public static final int MAX_TOPIC_PAYLOAD_BYTES = 256 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private DeadLetterJson() {}

  public static byte[] encode(DeadLetter deadLetter) {
    ObjectNode node = JSON.createObjectNode();
    node.put("useCase", deadLetter.getUseCase());
    node.put("pipeline", deadLetter.getPipeline());
    node.put("step", deadLetter.getStep());
    node.put("source", deadLetter.getSource());
    node.put("position", deadLetter.getPosition());
    node.put("errorType", deadLetter.getErrorType());
    node.put("reason", deadLetter.getReason());
    node.put("failedAt", deadLetter.getFailedAt().toString());
    node.put("payloadSize", deadLetter.getPayloadSize());
    byte[] payload = bytes(deadLetter.getPayload());
    boolean truncated = payload.length > MAX_TOPIC_PAYLOAD_BYTES;
    if (truncated) {
      payload = java.util.Arrays.copyOf(payload, MAX_TOPIC_PAYLOAD_BYTES);
    }
    node.put("payloadTruncated", truncated);
    node.put("payloadBase64", Base64.getEncoder().encodeToString(payload));
    try {
      node.put("payloadText", truncated ? null : RecordParser.decodeUtf8(payload));
    } catch (RejectedRecordException e) {
      node.putNull("payloadText");
    }
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }
}
