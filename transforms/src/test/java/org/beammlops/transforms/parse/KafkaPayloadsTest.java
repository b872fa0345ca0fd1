package org.beammlops.transforms.parse;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class KafkaPayloadsTest {

  @Test
  void contentTypeOfEachFormat() {
    assertEquals("application/avro", KafkaPayloads.contentType(InputFormat.AVRO));
    assertEquals("application/json", KafkaPayloads.contentType(InputFormat.JSON));
  }

  @Test
  void headerOverridesTheFallback() {
    RecordHeaders avro = new RecordHeaders();
    avro.add(KafkaPayloads.CONTENT_TYPE, KafkaPayloads.AVRO.getBytes(UTF_8));
    assertEquals(InputFormat.AVRO, KafkaPayloads.formatOf(avro, InputFormat.JSON));
    RecordHeaders json = new RecordHeaders();
    json.add(KafkaPayloads.CONTENT_TYPE, KafkaPayloads.JSON.getBytes(UTF_8));
    assertEquals(InputFormat.JSON, KafkaPayloads.formatOf(json, InputFormat.AVRO));
    // The last header wins, as Kafka's lastHeader says.
    json.add(KafkaPayloads.CONTENT_TYPE, KafkaPayloads.AVRO.getBytes(UTF_8));
    assertEquals(InputFormat.AVRO, KafkaPayloads.formatOf(json, InputFormat.JSON));
  }

  @Test
  void noOrUnknownHeaderMeansTheFallback() {
    assertEquals(InputFormat.JSON, KafkaPayloads.formatOf(null, InputFormat.JSON));
    assertEquals(InputFormat.AVRO, KafkaPayloads.formatOf(new RecordHeaders(), InputFormat.AVRO));
    RecordHeaders other = new RecordHeaders();
    other.add(KafkaPayloads.CONTENT_TYPE, "text/plain".getBytes(UTF_8));
    assertEquals(InputFormat.JSON, KafkaPayloads.formatOf(other, InputFormat.JSON));
    RecordHeaders nullValue = new RecordHeaders();
    nullValue.add(KafkaPayloads.CONTENT_TYPE, null);
    assertEquals(InputFormat.AVRO, KafkaPayloads.formatOf(nullValue, InputFormat.AVRO));
  }
}
