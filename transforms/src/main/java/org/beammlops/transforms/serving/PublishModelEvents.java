package org.beammlops.transforms.serving;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.ModelEvent;
import org.beammlops.schemas.ModelEventType;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.kafka.PublishMessages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model loads, swaps and refusals: to the log and, as JSON, to {@code <uc>.alerts}; an event too
 * large for the topic comes back as a dead letter.
 */
public final class PublishModelEvents
    extends PTransform<PCollection<ModelEvent>, PCollection<DeadLetter>> {
  private static final Logger LOG = LoggerFactory.getLogger(PublishModelEvents.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String bootstrapServers;
  private final String useCase;
  private final String pipeline;
  private final String topic;

  private PublishModelEvents(
      String bootstrapServers, String useCase, String pipeline, String topic) {
    this.bootstrapServers = bootstrapServers;
    this.useCase = useCase;
    this.pipeline = pipeline;
    this.topic = topic;
  }

  /** Publishes {@code pipeline}'s model events to the use case's alerts topic. */
  public static PublishModelEvents to(String bootstrapServers, UseCase useCase, String pipeline) {
    return new PublishModelEvents(
        bootstrapServers, useCase.name(), pipeline, useCase.topics().alerts());
  }

  @Override
  public PCollection<DeadLetter> expand(PCollection<ModelEvent> events) {
    String uc = useCase;
    return events
        .apply("Log", ParDo.of(new Log()))
        .setCoder(AvroCoder.of(ModelEvent.class))
        .apply(
            "Publish",
            PublishMessages.<ModelEvent>to(bootstrapServers, topic)
                .encodedBy(e -> KV.of(e.getModelName() + "/" + e.getModelVersion(), json(uc, e)))
                .rejectsAs(useCase, pipeline, "PublishModelEvents")
                .build());
  }

  /** The event as the JSON message on the alerts topic. */
  public static byte[] json(String useCase, ModelEvent e) {
    ObjectNode node = JSON.createObjectNode();
    node.put("kind", "model_event");
    node.put("useCase", useCase);
    node.put("modelName", e.getModelName().toString());
    node.put("modelVersion", e.getModelVersion().toString());
    node.put("type", e.getType().name());
    node.put("at", e.getAt().toString());
    node.put("reason", e.getReason().toString());
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static final class Log extends DoFn<ModelEvent, ModelEvent> {
    @ProcessElement
    public void process(@Element ModelEvent e, OutputReceiver<ModelEvent> out) {
      if (e.getType() == ModelEventType.REFUSED) {
        LOG.warn("model {}/v{} refused: {}", e.getModelName(), e.getModelVersion(), e.getReason());
      } else {
        LOG.info("model {}/v{}: {}", e.getModelName(), e.getModelVersion(), e.getReason());
      }
      out.output(e);
    }
  }
}
