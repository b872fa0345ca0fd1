package org.beammlops.pipelines.score;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.beammlops.schemas.ModelEvent;
import org.beammlops.schemas.usecase.UseCase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Model loads, swaps and refusals: to the log and, as JSON, to {@code <uc>.alerts}. */
final class PublishModelEvents extends PTransform<PCollection<ModelEvent>, PDone> {
  private static final Logger LOG = LoggerFactory.getLogger(PublishModelEvents.class);
  private final String bootstrapServers;
  private final String useCase;
  private final String topic;

  private PublishModelEvents(String bootstrapServers, String useCase, String topic) {
    this.bootstrapServers = bootstrapServers;
    this.useCase = useCase;
    this.topic = topic;
  }

  static PublishModelEvents to(String bootstrapServers, UseCase useCase) {
    return new PublishModelEvents(bootstrapServers, useCase.name(), useCase.topics().alerts());
  }

  @Override
  public PDone expand(PCollection<ModelEvent> events) {
    return events
        .apply("LogAndEncode", ParDo.of(new Encode(useCase)))
        .apply(
            "WriteAlertsTopic",
            KafkaIO.<String, byte[]>write()
                .withBootstrapServers(bootstrapServers)
                .withTopic(topic)
                .withKeySerializer(StringSerializer.class)
                .withValueSerializer(ByteArraySerializer.class));
  }

  private static final class Encode extends DoFn<ModelEvent, KV<String, byte[]>> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String useCase;

    Encode(String useCase) {
      this.useCase = useCase;
    }

    @ProcessElement
    public void process(@Element ModelEvent e, OutputReceiver<KV<String, byte[]>> out) {
      if (e.getType().name().equals("REFUSED")) {
        LOG.warn("model {}/v{} refused: {}", e.getModelName(), e.getModelVersion(), e.getReason());
      } else {
        LOG.info("model {}/v{}: {}", e.getModelName(), e.getModelVersion(), e.getReason());
      }
      ObjectNode node = JSON.createObjectNode();
      node.put("kind", "model_event");
      node.put("useCase", useCase);
      node.put("modelName", e.getModelName().toString());
      node.put("modelVersion", e.getModelVersion().toString());
      node.put("type", e.getType().name());
      node.put("at", e.getAt().toString());
      node.put("reason", e.getReason().toString());
      out.output(
          KV.of(
              e.getModelName() + "/" + e.getModelVersion(),
              node.toString().getBytes(StandardCharsets.UTF_8)));
    }
  }
}
