package org.beammlops.transforms.deadletter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.beammlops.schemas.usecase.Topics;
import org.junit.jupiter.api.Test;

class DeadLetterJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode encode(byte[] payload) throws Exception {
    return JSON.readTree(
        DeadLetterJson.encode(
            DeadLetters.from("flights", "score", "Parse")
                .reject(
                    "t-0", 7, payload, payload.length, ErrorType.RECORD_TOO_LARGE, "too large")));
  }

  @Test
  void aSmallPayloadTravelsWhole() throws Exception {
    JsonNode node = encode("{\"a\":1}".getBytes(StandardCharsets.UTF_8));
    assertFalse(node.get("payloadTruncated").asBoolean());
    assertEquals("{\"a\":1}", node.get("payloadText").asText());
  }

  @Test
  void aHugePayloadIsCutOnTheTopicSoThatTheMessageCanBePublished() throws Exception {
    byte[] huge = new byte[5 << 20];
    Arrays.fill(huge, (byte) 'x');
    byte[] encoded =
        DeadLetterJson.encode(
            DeadLetters.from("flights", "score", "Parse")
                .reject("t-0", 7, huge, huge.length, ErrorType.RECORD_TOO_LARGE, "too large"));
    assertTrue(encoded.length < 1_000_000, "fits Kafka's default 1 MB limit: " + encoded.length);
    JsonNode node = JSON.readTree(encoded);
    assertTrue(node.get("payloadTruncated").asBoolean());
    assertEquals(5 << 20, node.get("payloadSize").asLong());
    assertEquals(
        DeadLetterJson.MAX_TOPIC_PAYLOAD_BYTES,
        Base64.getDecoder().decode(node.get("payloadBase64").asText()).length);
    assertTrue(node.get("payloadText").isNull());
  }

  @Test
  void controlCharactersWhoseEscapingWouldOverflowTheTopicLeaveOutTheTextForm() throws Exception {
    // 200 KB of control characters is under the payload cap, but each one is six characters once
    // escaped in JSON: 1.2 MB of text alone, more than a topic takes.
    byte[] controls = new byte[200 * 1024];
    Arrays.fill(controls, (byte) 1);
    byte[] encoded =
        DeadLetterJson.encode(
            DeadLetters.from("flights", "score", "Parse")
                .reject(
                    "t-0", 7, controls, controls.length, ErrorType.MALFORMED_JSON, "malformed"));
    assertTrue(encoded.length <= Topics.MAX_MESSAGE_BYTES, "fits the topic: " + encoded.length);
    JsonNode node = JSON.readTree(encoded);
    assertFalse(node.get("payloadTruncated").asBoolean());
    assertTrue(node.get("payloadText").isNull());
    assertEquals(
        controls.length, Base64.getDecoder().decode(node.get("payloadBase64").asText()).length);
  }

  @Test
  void hugeTextFieldsAreCutAndNamed() throws Exception {
    String huge = "\u0001".repeat(200_000);
    byte[] payload = "{}".getBytes(StandardCharsets.UTF_8);
    byte[] encoded =
        DeadLetterJson.encode(
            DeadLetters.from("flights", "score", "PublishPredictions")
                .reject(huge, -1, payload, payload.length, ErrorType.MESSAGE_TOO_LARGE, huge));
    assertTrue(encoded.length <= Topics.MAX_MESSAGE_BYTES, "fits the topic: " + encoded.length);
    JsonNode node = JSON.readTree(encoded);
    assertEquals(DeadLetterJson.MAX_TEXT_CHARS, node.get("reason").asText().length());
    assertEquals(DeadLetterJson.MAX_TEXT_CHARS, node.get("source").asText().length());
    assertEquals("source,reason", node.get("truncatedFields").asText());
    assertEquals("{}", node.get("payloadText").asText());
  }
}
