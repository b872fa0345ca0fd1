package org.beammlops.pipelines.batch;

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
import org.beammlops.pipelines.score.PredictionJson;
import org.beammlops.schemas.Prediction;

/**
 * Predictions as messages keyed by request id, JSON or Avro binary: the same messages the score
 * pipeline publishes, so a consumer of {@code <uc>.predictions} reads batch results unchanged.
 */
final class PublishPredictions extends PTransform<PCollection<Prediction>, PDone> {
  private final String bootstrapServers;
  private final String topic;
  private final boolean avro;

  private PublishPredictions(String bootstrapServers, String topic, boolean avro) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.avro = avro;
  }

  /** {@code format} json or avro. */
  static PublishPredictions to(String bootstrapServers, String topic, String format) {
    return new PublishPredictions(bootstrapServers, topic, format.equals("avro"));
  }

  @Override
  public PDone expand(PCollection<Prediction> predictions) {
    boolean binary = avro;
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
        .apply(
            "WriteTopic",
            KafkaIO.<String, byte[]>write()
                .withBootstrapServers(bootstrapServers)
                .withTopic(topic)
                .withKeySerializer(StringSerializer.class)
                .withValueSerializer(ByteArraySerializer.class));
  }
}
