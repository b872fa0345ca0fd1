package org.beammlops.transforms.deadletter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.usecase.Topics;

/**
 * The JSON form of a dead letter on the {@code <uc>.dlq} topic: readable by people, with the
 * original bytes in base64 (and as text too when they are valid UTF-8 and the message has room).
 *
 * <p>It always fits a topic ({@link Topics#MAX_MESSAGE_BYTES}): a dead letter that cannot be
 * published would stop the pipeline that rejected the record, and the reject is usually large or
 * strange. So the payload is cut to {@value #MAX_TOPIC_PAYLOAD_BYTES} bytes, the text fields to
 * {@value #MAX_TEXT_CHARS} characters, and the payload's text form is left out when its JSON
 * escaping (up to six characters per control character) would not fit; what was cut is marked
 * ({@code payloadTruncated}, {@code truncatedFields}). The dead letter in the lake keeps every
 * byte.
 */
public final class DeadLetterJson {
  /** The most payload bytes a dead letter carries on the topic. */
  public static final int MAX_TOPIC_PAYLOAD_BYTES = 256 * 1024;

  /** The most characters of a text field (reason, source, step …) on the topic. */
  public static final int MAX_TEXT_CHARS = 4096;

  private static final ObjectMapper JSON = new ObjectMapper();

  private DeadLetterJson() {}

  /** The topic message of {@code deadLetter}, at most {@link Topics#MAX_MESSAGE_BYTES} long. */
  public static byte[] encode(DeadLetter deadLetter) {
    ObjectNode node = JSON.createObjectNode();
    StringBuilder cut = new StringBuilder();
    text(node, "useCase", deadLetter.getUseCase(), cut);
    text(node, "pipeline", deadLetter.getPipeline(), cut);
    text(node, "step", deadLetter.getStep(), cut);
    text(node, "source", deadLetter.getSource(), cut);
    node.put("position", deadLetter.getPosition());
    text(node, "errorType", deadLetter.getErrorType(), cut);
    text(node, "reason", deadLetter.getReason(), cut);
    node.put("failedAt", deadLetter.getFailedAt().toString());
    node.put("payloadSize", deadLetter.getPayloadSize());
    byte[] payload = bytes(deadLetter.getPayload());
    boolean truncated = payload.length > MAX_TOPIC_PAYLOAD_BYTES;
    if (truncated) {
      payload = Arrays.copyOf(payload, MAX_TOPIC_PAYLOAD_BYTES);
    }
    node.put("payloadTruncated", truncated);
    node.put("payloadBase64", Base64.getEncoder().encodeToString(payload));
    node.put("truncatedFields", cut.toString());
    // Without the text form the message is bounded: 350 KB of base64 and a few escaped 4 KB texts.
    node.putNull("payloadText");
    byte[] withoutText = utf8(node);
    String text = truncated ? null : strictUtf8(payload);
    if (text == null) {
      return withoutText;
    }
    node.put("payloadText", text);
    byte[] withText = utf8(node);
    return withText.length <= Topics.MAX_MESSAGE_BYTES ? withText : withoutText;
  }

  private static void text(ObjectNode node, String field, CharSequence value, StringBuilder cut) {
    String s = value == null ? null : value.toString();
    if (s != null && s.length() > MAX_TEXT_CHARS) {
      s = s.substring(0, MAX_TEXT_CHARS);
      cut.append(cut.length() == 0 ? "" : ",").append(field);
    }
    node.put(field, s);
  }

  private static byte[] utf8(ObjectNode node) {
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The bytes as text if they are valid UTF-8, else null. */
  private static String strictUtf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }
}
