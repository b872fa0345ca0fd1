package org.beammlops.transforms.feedback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.beammlops.schemas.MetricWindow;

/**
 * A {@link MetricWindow} as the JSON message on {@code <uc>.metrics}: the window's bounds as ISO
 * instants, every defined metric as a number and every undefined one as {@code null}, with its
 * reason under {@code undefined} (never NaN, which JSON has not). Read back by the monitor.
 */
public final class MetricWindowJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MetricWindowJson() {}

  /**
   * The message key: one per task, version, window and kind, so a topic compaction keeps the last
   * pane of each.
   */
  public static String key(MetricWindow w) {
    String key = w.getTask() + "/" + w.getModelVersion() + "/" + w.getWindowEnd().toEpochMilli();
    return WindowedMetrics.REALIZED.equals(w.getKind()) ? key : key + "/" + w.getKind();
  }

  public static byte[] json(MetricWindow w) {
    ObjectNode node = JSON.createObjectNode();
    node.put("useCase", w.getUseCase());
    node.put("task", w.getTask());
    node.put("modelName", w.getModelName());
    node.put("modelVersion", w.getModelVersion());
    node.put("windowStart", w.getWindowStart().toString());
    node.put("windowEnd", w.getWindowEnd().toString());
    node.put("timing", w.getTiming());
    node.put("paneIndex", w.getPaneIndex());
    node.put("kind", w.getKind());
    node.put("count", w.getCount());
    ObjectNode metrics = node.putObject("metrics");
    w.getMetrics().forEach(metrics::put);
    w.getUndefined().keySet().forEach(metrics::putNull);
    ObjectNode undefined = node.putObject("undefined");
    w.getUndefined().forEach(undefined::put);
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Reads a message of {@link #json}. */
  public static MetricWindow read(byte[] message) throws IOException {
    JsonNode node = JSON.readTree(message);
    Map<String, Double> metrics = new LinkedHashMap<>();
    node.get("metrics")
        .fields()
        .forEachRemaining(
            e -> {
              if (!e.getValue().isNull()) {
                metrics.put(e.getKey(), e.getValue().doubleValue());
              }
            });
    Map<String, String> undefined = new LinkedHashMap<>();
    node.get("undefined")
        .fields()
        .forEachRemaining(e -> undefined.put(e.getKey(), e.getValue().asText()));
    return MetricWindow.newBuilder()
        .setUseCase(node.get("useCase").asText())
        .setTask(node.get("task").asText())
        .setModelName(node.get("modelName").asText())
        .setModelVersion(node.get("modelVersion").asText())
        .setWindowStart(Instant.parse(node.get("windowStart").asText()))
        .setWindowEnd(Instant.parse(node.get("windowEnd").asText()))
        .setTiming(node.get("timing").asText())
        .setPaneIndex(node.get("paneIndex").asLong())
        .setKind(node.path("kind").asText(WindowedMetrics.REALIZED))
        .setCount(node.get("count").asLong())
        .setMetrics(metrics)
        .setUndefined(undefined)
        .build();
  }
}
