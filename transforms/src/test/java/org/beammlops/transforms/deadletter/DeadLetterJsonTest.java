package org.beammlops.transforms.deadletter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.beammlops.transforms.parse.ErrorType;
import org.junit.jupiter.api.Test;

class DeadLetterJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode encode(byte[] payload) throws Exception {
    return JSON.readTree(
        DeadLetterJson.encode(
            DeadLetters.of(
                "flights",
                "score",
                "Parse",
                "t-0",
                7,
                payload,
                payload.length,
                ErrorType.RECORD_TOO_LARGE,
                "too large")));
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
            DeadLetters.of(
                "flights",
                "score",
                "Parse",
                "t-0",
                7,
                huge,
                huge.length,
                ErrorType.RECORD_TOO_LARGE,
                "too large"));
    assertTrue(encoded.length < 1_000_000, "fits Kafka's default 1 MB limit: " + encoded.length);
    JsonNode node = JSON.readTree(encoded);
    assertTrue(node.get("payloadTruncated").asBoolean());
    assertEquals(5 << 20, node.get("payloadSize").asLong());
    assertEquals(
        DeadLetterJson.MAX_TOPIC_PAYLOAD_BYTES,
        Base64.getDecoder().decode(node.get("payloadBase64").asText()).length);
    assertTrue(node.get("payloadText").isNull());
  }
}
