package org.beammlops.pipelines.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Topic helpers for any test broker, in-JVM or a separate process: create, and read back. */
public final class KafkaTopics {
  private KafkaTopics() {}

  /** Creates topics with the given partition count and waits until they exist. */
  public static void create(String bootstrap, int partitions, String... topics) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(props)) {
      List<NewTopic> newTopics = new ArrayList<>();
      for (String topic : topics) {
        newTopics.add(new NewTopic(topic, partitions, (short) 1));
      }
      admin.createTopics(newTopics).all().get();
    }
  }

  /** Publishes {@code values} to {@code topic} in order and waits until the broker has them. */
  public static void send(String bootstrap, String topic, List<byte[]> values) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("acks", "all");
    try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer =
        new org.apache.kafka.clients.producer.KafkaProducer<>(
            props,
            new org.apache.kafka.common.serialization.ByteArraySerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      for (byte[] value : values) {
        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, value)).get();
      }
    }
  }

  /** Reads a topic from the beginning until {@code expected} records arrived or time ran out. */
  public static List<ConsumerRecord<String, byte[]>> readAll(
      String bootstrap, String topic, int expected, Duration timeout) {
    return readUntil(bootstrap, topic, records -> records.size() >= expected, timeout);
  }

  /**
   * Reads a topic from the beginning until what was read satisfies {@code enough} or time ran out,
   * then polls once more: anything beyond what was expected is a bug the test must see.
   */
  public static List<ConsumerRecord<String, byte[]>> readUntil(
      String bootstrap,
      String topic,
      Predicate<List<ConsumerRecord<String, byte[]>>> enough,
      Duration timeout) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ConsumerConfig.GROUP_ID_CONFIG,
            "test-" + UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
            5000);
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!enough.test(records) && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      consumer.poll(Duration.ofMillis(500)).forEach(records::add);
    }
    return records;
  }
}
