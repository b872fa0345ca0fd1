package org.beammlops.pipelines.score;

import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.beammlops.schemas.Prediction;

/**
 * Predictions as messages keyed by request id, JSON or Avro binary. The score and batch-predict
 * pipelines both publish through it, so a consumer of {@code <uc>.predictions} reads either
 * unchanged.
 */
public final class PublishPredictions extends PTransform<PCollection<Prediction>, PDone> {
  private final String bootstrapServers;
  private final String topic;
  private final boolean avro;
  private final String exactlyOnceGroup;

  private PublishPredictions(
      String bootstrapServers, String topic, boolean avro, String exactlyOnceGroup) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.avro = avro;
    this.exactlyOnceGroup = exactlyOnceGroup;
  }

  /** {@code format} json or avro. */
  public static PublishPredictions to(String bootstrapServers, String topic, String format) {
    return new PublishPredictions(bootstrapServers, topic, format.equalsIgnoreCase("avro"), null);
  }

  /**
   * Writes in Kafka transactions (KafkaIO's exactly-once sink, one shard) under {@code
   * sinkGroupId}; needs a runner with checkpoints, such as Flink.
   */
  public PublishPredictions withExactlyOnce(String sinkGroupId) {
    return new PublishPredictions(bootstrapServers, topic, avro, sinkGroupId);
  }

  @Override
  public PDone expand(PCollection<Prediction> predictions) {
    boolean binary = avro;
    KafkaIO.Write<String, byte[]> write =
        KafkaIO.<String, byte[]>write()
            .withBootstrapServers(bootstrapServers)
            .withTopic(topic)
            .withKeySerializer(StringSerializer.class)
            .withValueSerializer(ByteArraySerializer.class);
    return predictions
        .apply(
            "AsMessages",
            MapElements.into(
                    TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(byte[].class)))
                .via(
                    p ->
                        KV.of(
                            p.getRequestId().toString(),
                            binary ? PredictionJson.avro(p) : PredictionJson.json(p))))
        .apply("WriteTopic", exactlyOnceGroup == null ? write : write.withEOS(1, exactlyOnceGroup));
  }
}
