package org.beammlops.transforms.serving;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.Prediction;
import org.beammlops.transforms.kafka.PublishMessages;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Predictions as messages keyed by request id, JSON or Avro binary, on a predictions topic. The
 * score and batch-predict pipelines both publish through it, so a consumer of {@code
 * <uc>.predictions} reads either unchanged. A prediction whose message does not fit the topic is
 * returned as a dead letter instead of stopping the job.
 */
@AutoValue
public abstract class PublishPredictions
    extends PTransform<PCollection<Prediction>, PCollection<DeadLetter>> {

  /** How predictions are encoded on the topic. */
  public enum Format {
    /** Readable JSON, one object per message. */
    json,
    /** Avro binary of the {@link Prediction} schema, for speed. */
    avro
  }

  abstract String bootstrapServers();

  abstract String topic();

  abstract Format format();

  abstract String useCase();

  abstract String pipeline();

  abstract @Nullable String exactlyOnceGroup();

  /** Publishes {@code pipeline}'s predictions of {@code useCase} to {@code topic}. */
  public static Builder to(String bootstrapServers, String topic) {
    return new AutoValue_PublishPredictions.Builder()
        .setBootstrapServers(bootstrapServers)
        .setTopic(topic)
        .setFormat(Format.json)
        .setUseCase("")
        .setPipeline("");
  }

  /** The settings of a {@link PublishPredictions}. */
  @AutoValue.Builder
  public abstract static class Builder {
    abstract Builder setBootstrapServers(String value);

    abstract Builder setTopic(String value);

    /** JSON (default) or Avro binary. */
    public abstract Builder setFormat(Format value);

    abstract Builder setUseCase(String value);

    abstract Builder setPipeline(String value);

    abstract Builder setExactlyOnceGroup(@Nullable String value);

    /** Names the origin of the dead letters of predictions that do not fit the topic. */
    public Builder from(String useCase, String pipeline) {
      return setUseCase(useCase).setPipeline(pipeline);
    }

    /**
     * Writes in Kafka transactions (KafkaIO's exactly-once sink, one shard) under {@code
     * sinkGroupId}; needs a runner with checkpoints, such as Flink.
     */
    public Builder withExactlyOnce(String sinkGroupId) {
      return setExactlyOnceGroup(sinkGroupId);
    }

    /** The sink. */
    public abstract PublishPredictions build();
  }

  @Override
  public PCollection<DeadLetter> expand(PCollection<Prediction> predictions) {
    boolean avro = format() == Format.avro;
    PublishMessages.Builder<Prediction> sink =
        PublishMessages.<Prediction>to(bootstrapServers(), topic())
            .encodedBy(
                p ->
                    KV.of(
                        p.getRequestId().toString(),
                        avro ? PredictionJson.avro(p) : PredictionJson.json(p)))
            .rejectsAs(useCase(), pipeline(), "PublishPredictions");
    if (exactlyOnceGroup() != null) {
      sink = sink.withExactlyOnce(exactlyOnceGroup());
    }
    return predictions.apply("Publish", sink.build());
  }
}
