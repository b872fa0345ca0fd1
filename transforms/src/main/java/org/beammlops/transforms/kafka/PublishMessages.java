package org.beammlops.transforms.kafka;

import com.google.auto.value.AutoValue;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.usecase.Topics;
import org.beammlops.transforms.deadletter.DeadLetters;
import org.beammlops.transforms.deadletter.ErrorType;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Publishes elements to a Kafka topic as keyed byte messages without a poison pill: an element that
 * cannot be encoded, or whose message would exceed {@link Topics#MAX_MESSAGE_BYTES}, becomes a
 * counted dead letter (output of this transform) instead of an exception in the Kafka writer, which
 * would fail the bundle, and on every restart fail it again on the same record.
 *
 * <pre>{@code
 * PCollection<DeadLetter> unpublished =
 *     predictions.apply(
 *         PublishMessages.<Prediction>to(bootstrap, "flights.predictions")
 *             .encodedBy(p -> KV.of(p.getRequestId().toString(), PredictionJson.json(p)))
 *             .rejectsAs("flights", "score", "PublishPredictions")
 *             .build());
 * }</pre>
 */
@AutoValue
public abstract class PublishMessages<T>
    extends PTransform<PCollection<T>, PCollection<DeadLetter>> {

  abstract String bootstrapServers();

  abstract String topic();

  abstract SerializableFunction<T, KV<String, byte[]>> encoder();

  abstract String useCase();

  abstract String pipeline();

  abstract String step();

  abstract int maxMessageBytes();

  abstract @Nullable String exactlyOnceGroup();

  /** Starts the settings of a sink to {@code topic} on {@code bootstrapServers}. */
  public static <T> Builder<T> to(String bootstrapServers, String topic) {
    return new AutoValue_PublishMessages.Builder<T>()
        .setBootstrapServers(bootstrapServers)
        .setTopic(topic)
        .setMaxMessageBytes(Topics.MAX_MESSAGE_BYTES)
        .setUseCase("")
        .setPipeline("")
        .setStep("Publish");
  }

  /** The settings of a {@link PublishMessages}. */
  @AutoValue.Builder
  public abstract static class Builder<T> {
    abstract Builder<T> setBootstrapServers(String value);

    abstract Builder<T> setTopic(String value);

    abstract Builder<T> setEncoder(SerializableFunction<T, KV<String, byte[]>> value);

    abstract Builder<T> setUseCase(String value);

    abstract Builder<T> setPipeline(String value);

    abstract Builder<T> setStep(String value);

    abstract Builder<T> setMaxMessageBytes(int value);

    abstract Builder<T> setExactlyOnceGroup(@Nullable String value);

    /** How an element becomes a message: its key and value bytes. */
    public Builder<T> encodedBy(SerializableFunction<T, KV<String, byte[]>> encoder) {
      return setEncoder(encoder);
    }

    /** Who the dead letters of unpublishable elements name as their origin. */
    public Builder<T> rejectsAs(String useCase, String pipeline, String step) {
      return setUseCase(useCase).setPipeline(pipeline).setStep(step);
    }

    /** A smaller limit than {@link Topics#MAX_MESSAGE_BYTES}, for a topic configured lower. */
    public Builder<T> withMaxMessageBytes(int bytes) {
      if (bytes < 1 || bytes > Topics.MAX_MESSAGE_BYTES) {
        throw new IllegalArgumentException(
            "max message bytes must be in 1.." + Topics.MAX_MESSAGE_BYTES + ", not " + bytes);
      }
      return setMaxMessageBytes(bytes);
    }

    /**
     * Writes in Kafka transactions (KafkaIO's exactly-once sink, one shard) under {@code
     * sinkGroupId}; needs a runner with checkpoints, such as Flink.
     */
    public Builder<T> withExactlyOnce(String sinkGroupId) {
      return setExactlyOnceGroup(sinkGroupId);
    }

    /** The sink. */
    public abstract PublishMessages<T> build();
  }

  @Override
  public PCollection<DeadLetter> expand(PCollection<T> input) {
    TupleTag<KV<String, byte[]>> messages = new TupleTag<>() {};
    TupleTag<DeadLetter> rejects = new TupleTag<>() {};
    PCollectionTuple encoded =
        input.apply(
            "EncodeWithinLimit",
            ParDo.of(new EncodeWithinLimit<>(this, messages, rejects))
                .withOutputTags(messages, TupleTagList.of(rejects)));
    KafkaIO.Write<String, byte[]> write =
        KafkaIO.<String, byte[]>write()
            .withBootstrapServers(bootstrapServers())
            .withTopic(topic())
            .withKeySerializer(StringSerializer.class)
            .withValueSerializer(ByteArraySerializer.class)
            .withProducerConfigUpdates(
                Map.of(
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES + 64 * 1024));
    encoded
        .get(messages)
        .setCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()))
        .apply(
            "WriteTopic",
            exactlyOnceGroup() == null ? write : write.withEOS(1, exactlyOnceGroup()));
    return encoded.get(rejects).setCoder(AvroCoder.of(DeadLetter.class));
  }

  /** Encodes each element; one that fails or is too large goes to the rejects as a dead letter. */
  static final class EncodeWithinLimit<T> extends DoFn<T, KV<String, byte[]>> {
    private final PublishMessages<T> sink;
    private final TupleTag<KV<String, byte[]>> messages;
    private final TupleTag<DeadLetter> rejects;

    EncodeWithinLimit(
        PublishMessages<T> sink,
        TupleTag<KV<String, byte[]>> messages,
        TupleTag<DeadLetter> rejects) {
      this.sink = sink;
      this.messages = messages;
      this.rejects = rejects;
    }

    @ProcessElement
    public void process(@Element T element, MultiOutputReceiver out) {
      KV<String, byte[]> message;
      try {
        message = sink.encoder().apply(element);
      } catch (RuntimeException e) {
        byte[] described = describe(element);
        out.get(rejects)
            .output(
                reject(
                    described,
                    ErrorType.UNENCODABLE,
                    "cannot encode for " + sink.topic() + ": " + e));
        return;
      }
      long size =
          (long) message.getValue().length
              + (message.getKey() == null
                  ? 0
                  : message.getKey().getBytes(StandardCharsets.UTF_8).length);
      if (size > sink.maxMessageBytes()) {
        out.get(rejects)
            .output(
                reject(
                    message.getValue(),
                    ErrorType.MESSAGE_TOO_LARGE,
                    "message of "
                        + size
                        + " bytes exceeds the "
                        + sink.maxMessageBytes()
                        + " bytes "
                        + sink.topic()
                        + " takes"));
        return;
      }
      out.get(messages).output(message);
    }

    private DeadLetter reject(byte[] payload, ErrorType type, String reason) {
      return DeadLetters.from(sink.useCase(), sink.pipeline(), sink.step())
          .reject(sink.topic(), -1, payload, payload.length, type, reason);
    }

    private static byte[] describe(Object element) {
      try {
        return String.valueOf(element).getBytes(StandardCharsets.UTF_8);
      } catch (RuntimeException e) {
        return ("<" + element.getClass().getName() + ": toString failed>")
            .getBytes(StandardCharsets.UTF_8);
      }
    }
  }
}
