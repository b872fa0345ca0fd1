package org.beammlops.pipelines.score;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.beammlops.pipelines.testing.EmbeddedKafka;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * {@code --startAt=latest} skips what was on the topic before the start; the unread count tells a
 * stopping job whether everything sent since its start has been read.
 */
public class GroupOffsetsIT {
  @ClassRule public static final EmbeddedKafka KAFKA = new EmbeddedKafka();

  @Test
  public void theGroupReadsOnlyWhatIsSentAfterTheMove() throws Exception {
    KAFKA.createTopics(2, "backlog");
    GroupOffsets offsets = new GroupOffsets(KAFKA.bootstrapServers(), "backlog", "g");
    send("backlog", "old", 10);
    assertEquals(10, offsets.moveToEnd());
    assertEquals("moving again skips nothing", 0, offsets.moveToEnd());
    Map<TopicPartition, Long> start = offsets.positions();
    send("backlog", "new", 3);
    assertEquals(3, offsets.unread(start, 0));
    assertEquals(List.of("new", "new", "new"), readAsGroup("backlog", "g", 3));
    assertEquals(1, offsets.unread(start, 2));
    assertEquals(0, offsets.unread(start, 3));
  }

  @Test
  public void aTopicCreatedAfterTheStartCountsFromItsBeginning() throws Exception {
    GroupOffsets offsets = new GroupOffsets(KAFKA.bootstrapServers(), "later", "g");
    assertEquals("nothing to skip on a topic that does not exist", 0, offsets.moveToEnd());
    Map<TopicPartition, Long> start = offsets.positions();
    assertTrue(start.isEmpty());
    KAFKA.createTopics(2, "later");
    send("later", "x", 4);
    assertEquals(4, offsets.unread(start, 0));
  }

  private static void send(String topic, String value, int count) {
    try (KafkaProducer<String, byte[]> producer =
        ScoringFixture.producer(KAFKA.bootstrapServers())) {
      for (int i = 0; i < count; i++) {
        producer.send(
            new ProducerRecord<>(topic, value + i, value.getBytes(StandardCharsets.UTF_8)));
      }
    }
  }

  private static List<String> readAsGroup(String topic, String group, int expected) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(value(r.value())));
      }
      consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(value(r.value())));
    }
    return values;
  }

  private static String value(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
