package org.beammlops.transforms.kafka;

import java.util.Map;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.joda.time.Duration;

/**
 * The Kafka reads the pipelines start from: raw bytes, so that parsing and validation (and their
 * dead letters, with the original bytes) happen in the pipeline, not in a deserializer.
 */
public final class TopicReads {
  /**
   * Largest fetch per partition: above the 5 MB a malformed payload may reach, so that it is read
   * and dead-lettered rather than stalling the consumer.
   */
  static final int MAX_PARTITION_FETCH_BYTES = 16 << 20;

  private TopicReads() {}

  /**
   * From the earliest offset, without a consumer group; ends after {@code maxRecords} messages or
   * {@code maxReadSeconds} when either is above 0 (a bounded read).
   */
  public static KafkaIO.Read<byte[], byte[]> fromEarliest(
      String bootstrapServers, String topic, long maxRecords, long maxReadSeconds) {
    KafkaIO.Read<byte[], byte[]> read =
        KafkaIO.<byte[], byte[]>read()
            .withBootstrapServers(bootstrapServers)
            .withTopic(topic)
            .withKeyDeserializer(ByteArrayDeserializer.class)
            .withValueDeserializer(ByteArrayDeserializer.class)
            .withConsumerFactoryFn(ClosingAwareConsumer::new)
            .withConsumerConfigUpdates(
                Map.of(
                    "auto.offset.reset",
                    "earliest",
                    "max.partition.fetch.bytes",
                    MAX_PARTITION_FETCH_BYTES));
    if (maxRecords > 0) {
      read = read.withMaxNumRecords(maxRecords);
    }
    if (maxReadSeconds > 0) {
      read = read.withMaxReadTime(Duration.standardSeconds(maxReadSeconds));
    }
    return read;
  }

  /**
   * As {@link #fromEarliest} in consumer group {@code group}, whose offsets are committed when a
   * bundle is finalized, i.e. once its outputs are durable: a restarted job resumes where the last
   * one had durably got to, and loses nothing.
   */
  public static KafkaIO.Read<byte[], byte[]> inGroupCommittedAfterOutputs(
      String bootstrapServers, String topic, String group, long maxRecords, long maxReadSeconds) {
    return fromEarliest(bootstrapServers, topic, maxRecords, maxReadSeconds)
        .withConsumerConfigUpdates(Map.of("group.id", group))
        .commitOffsetsInFinalize();
  }
}
