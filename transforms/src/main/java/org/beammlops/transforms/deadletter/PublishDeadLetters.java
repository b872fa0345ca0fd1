package org.beammlops.transforms.deadletter;

import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.beammlops.schemas.DeadLetter;

/** Publishes dead letters as JSON to a use case's {@code <uc>.dlq} topic, keyed by source. */
public final class PublishDeadLetters extends PTransform<PCollection<DeadLetter>, PDone> {
  private final String bootstrapServers;
  private final String topic;

  private PublishDeadLetters(String bootstrapServers, String topic) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
  }

  public static PublishDeadLetters to(String bootstrapServers, String topic) {
    return new PublishDeadLetters(bootstrapServers, topic);
  }

  @Override
  public PDone expand(PCollection<DeadLetter> deadLetters) {
    return deadLetters
        .apply(
            "ToJson",
            MapElements.into(
                    TypeDescriptors.kvs(
                        TypeDescriptors.strings(),
                        org.apache.beam.sdk.values.TypeDescriptor.of(byte[].class)))
                .via(d -> KV.of(d.getSource() + "@" + d.getPosition(), DeadLetterJson.encode(d))))
        .apply(
            "WriteDlqTopic",
            KafkaIO.<String, byte[]>write()
                .withBootstrapServers(bootstrapServers)
                .withTopic(topic)
                .withKeySerializer(StringSerializer.class)
                .withValueSerializer(ByteArraySerializer.class));
  }
}
