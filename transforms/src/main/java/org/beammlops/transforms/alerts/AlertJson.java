package org.beammlops.transforms.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.beammlops.schemas.Alert;

/**
 * An {@link Alert} as JSON: on {@code <uc>.alerts} (beside the score pipeline's model events, told
 * apart by {@code kind}), and as a webhook's body, which Slack's incoming webhooks read by its
 * {@code text} and a generic receiver by its fields.
 */
public final class AlertJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AlertJson() {}

  /** The message key: the alert's rule (or kind) and model version. */
  public static String key(Alert a) {
    String rule = a.getAttributes().getOrDefault("rule", a.getKind());
    return rule + "/" + a.getAttributes().getOrDefault("modelVersion", "");
  }

  /** The alert as one JSON object. */
  public static ObjectNode node(Alert a) {
    ObjectNode node = JSON.createObjectNode();
    node.put("kind", "alert");
    node.put("useCase", a.getUseCase());
    node.put("source", a.getSource());
    node.put("severity", a.getSeverity().name());
    node.put("alertKind", a.getKind());
    node.put("state", a.getAttributes().getOrDefault("state", EvaluateAlerts.FIRING));
    node.put("message", a.getMessage());
    node.put("at", a.getAt().toString());
    ObjectNode attributes = node.putObject("attributes");
    a.getAttributes().forEach(attributes::put);
    return node;
  }

  public static byte[] json(Alert a) {
    return node(a).toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The webhook body: Slack's {@code text} first, then the whole alert under {@code alert}. */
  public static byte[] webhookBody(Alert a) {
    ObjectNode body = JSON.createObjectNode();
    body.put("text", a.getSeverity().name() + " " + a.getMessage());
    body.set("alert", node(a));
    return body.toString().getBytes(StandardCharsets.UTF_8);
  }
}
