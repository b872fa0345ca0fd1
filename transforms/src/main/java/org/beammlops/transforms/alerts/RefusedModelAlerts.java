package org.beammlops.transforms.alerts;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.beammlops.schemas.Alert;
import org.beammlops.schemas.ModelEvent;
import org.beammlops.schemas.ModelEventType;
import org.beammlops.schemas.Severity;

/**
 * A model version the scorer refused to serve (a {@code REFUSED} {@link ModelEvent}: it does not
 * load, or fails its checks) as a CRITICAL {@link Alert}, so that it reaches people through the
 * same webhook and email as the metric alerts. The event itself is on {@code <uc>.alerts} already.
 */
public final class RefusedModelAlerts
    extends PTransform<PCollection<ModelEvent>, PCollection<Alert>> {
  public static final String KIND = "MODEL_REFUSED";

  private final String pipeline;

  private RefusedModelAlerts(String pipeline) {
    this.pipeline = pipeline;
  }

  /** Alerts raised by {@code pipeline}. */
  public static RefusedModelAlerts from(String pipeline) {
    return new RefusedModelAlerts(pipeline);
  }

  @Override
  public PCollection<Alert> expand(PCollection<ModelEvent> events) {
    String source = pipeline;
    return events
        .apply(
            "Refused",
            ParDo.of(
                new DoFn<ModelEvent, Alert>() {
                  @ProcessElement
                  public void process(@Element ModelEvent e, OutputReceiver<Alert> out) {
                    if (e.getType() == ModelEventType.REFUSED) {
                      out.output(alert(e, source));
                    }
                  }
                }))
        .setCoder(AvroCoder.of(Alert.class));
  }

  static Alert alert(ModelEvent e, String source) {
    Map<String, String> attributes = new LinkedHashMap<>(e.getAttributes());
    attributes.put("state", EvaluateAlerts.FIRING);
    attributes.put("rule", KIND);
    attributes.put("modelName", e.getModelName());
    attributes.put("modelVersion", e.getModelVersion());
    return Alert.newBuilder()
        .setUseCase(e.getUseCase())
        .setSource(source)
        .setSeverity(Severity.CRITICAL)
        .setKind(KIND)
        .setMessage(
            "[FIRING] "
                + e.getModelName()
                + " v"
                + e.getModelVersion()
                + " was refused by the "
                + source
                + " pipeline: "
                + e.getReason())
        .setAt(e.getAt())
        .setAttributes(attributes)
        .build();
  }
}
