package org.beammlops.runners;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.beammlops.schemas.MetricWindow;
import org.beammlops.transforms.feedback.MetricWindowJson;

/**
 * What the demo shows while the replay plays: each ON_TIME metric window as it reaches the metrics
 * topic (version, count, AUC, log loss) and each alert as it reaches the alerts topic, read from
 * the topics' ends at start so that only this run's show; kept for the summary.
 */
final class DemoWatch implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String metricsTopic;
  private final Thread thread;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Map<String, Object>> windows = new ArrayList<>();
  private final List<Map<String, Object>> alerts = new ArrayList<>();

  DemoWatch(String bootstrap, String metricsTopic, String alertsTopic) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("enable.auto.commit", "false");
    props.put("allow.auto.create.topics", "false");
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(metricsTopic, alertsTopic)) {
      for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(10))) {
        partitions.add(new TopicPartition(topic, p.partition()));
      }
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // fix the start now, before the traffic
    this.metricsTopic = metricsTopic;
    this.thread = new Thread(this::run, "demo-watch");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private void run() {
    try {
      while (running.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          try {
            if (r.topic().equals(metricsTopic)) {
              window(MetricWindowJson.read(r.value()));
            } else {
              alert(JSON.readTree(r.value()));
            }
          } catch (Exception e) {
            Demo.step("(unreadable message on " + r.topic() + ": " + e.getMessage() + ")");
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  /** "06-01" for a window of a whole day, "06-01 06:00-12:00" for a shorter one. */
  private static String bounds(MetricWindow w) {
    String start = TIME.format(w.getWindowStart());
    if (java.time.Duration.between(w.getWindowStart(), w.getWindowEnd()).toDays() == 1
        && start.endsWith("00:00")) {
      return start.substring(0, 5);
    }
    return start + "-" + TIME.format(w.getWindowEnd()).substring(6);
  }

  private synchronized void window(MetricWindow w) {
    if (!"ON_TIME".equals(w.getTiming())) {
      return;
    }
    if (org.beammlops.transforms.feedback.WindowedMetrics.ESTIMATED.equals(w.getKind())) {
      Double estimated = w.getMetrics().get("estimated_roc_auc");
      Demo.step(
          String.format(
              Locale.ROOT,
              "estimate %s %s %-4s %4d predictions  expected AUC %s (before labels)",
              bounds(w),
              w.getTask(),
              w.getModelVersion().equals("all") ? "all" : "v" + w.getModelVersion(),
              w.getCount(),
              estimated == null ? "n/a" : String.format(Locale.ROOT, "%.3f", estimated)));
      return;
    }
    Double auc = w.getMetrics().get("roc_auc");
    Double logLoss = w.getMetrics().get("log_loss");
    Demo.step(
        String.format(
            Locale.ROOT,
            "window %s %s %-4s %4d predictions  AUC %s  log loss %s",
            bounds(w),
            w.getTask(),
            w.getModelVersion().equals("all") ? "all" : "v" + w.getModelVersion(),
            w.getCount(),
            auc == null ? " n/a " : String.format(Locale.ROOT, "%.3f", auc),
            logLoss == null ? "n/a" : String.format(Locale.ROOT, "%.3f", logLoss)));
    windows.add(
        Map.of(
            "task", w.getTask(),
            "modelVersion", w.getModelVersion(),
            "windowStart", w.getWindowStart().toString(),
            "windowEnd", w.getWindowEnd().toString(),
            "count", w.getCount(),
            "metrics", Map.copyOf(w.getMetrics())));
  }

  private synchronized void alert(JsonNode a) {
    if (!"alert".equals(a.path("kind").asText())) {
      return; // a model event of the score job
    }
    Demo.step(
        "ALERT "
            + a.path("state").asText()
            + " "
            + a.path("severity").asText()
            + ": "
            + a.path("message").asText());
    alerts.add(
        Map.of(
            "state", a.path("state").asText(),
            "rule", a.path("attributes").path("rule").asText(a.path("alertKind").asText()),
            "severity", a.path("severity").asText(),
            "at", a.path("at").asText(),
            "message", a.path("message").asText()));
  }

  synchronized List<Map<String, Object>> windows() {
    return List.copyOf(windows);
  }

  synchronized List<Map<String, Object>> alerts() {
    return List.copyOf(alerts);
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    consumer.wakeup();
    thread.join(5_000);
  }
}
