package org.beammlops.schemas.usecase;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The Kafka topics of one use case, {@code <uc>.requests} and so on unless the config says else.
 */
public final class Topics implements Serializable {
  /**
   * The largest message (key + value) the project writes to a topic: below the 1 MiB that Kafka's
   * producers ({@code max.request.size}) and brokers ({@code message.max.bytes}) take by default,
   * with room for the record's headers and batch overhead. A sink turns anything larger into a dead
   * letter instead of failing, and a dead letter itself is cut to fit.
   */
  public static final int MAX_MESSAGE_BYTES = 1_000_000;

  private final String requests;
  private final String predictions;
  private final String feedback;
  private final String dlq;
  private final String metrics;
  private final String alerts;

  Topics(String useCase, Map<String, String> configured) {
    this.requests = configured.getOrDefault("requests", useCase + ".requests");
    this.predictions = configured.getOrDefault("predictions", useCase + ".predictions");
    this.feedback = configured.getOrDefault("feedback", useCase + ".feedback");
    this.dlq = configured.getOrDefault("dlq", useCase + ".dlq");
    this.metrics = configured.getOrDefault("metrics", useCase + ".metrics");
    this.alerts = configured.getOrDefault("alerts", useCase + ".alerts");
  }

  public String requests() {
    return requests;
  }

  public String predictions() {
    return predictions;
  }

  public String feedback() {
    return feedback;
  }

  public String dlq() {
    return dlq;
  }

  public String metrics() {
    return metrics;
  }

  public String alerts() {
    return alerts;
  }

  /** Every topic, for creating them all at once. */
  public List<String> all() {
    return List.of(requests, predictions, feedback, dlq, metrics, alerts);
  }
}
