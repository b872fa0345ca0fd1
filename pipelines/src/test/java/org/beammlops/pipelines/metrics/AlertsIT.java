package org.beammlops.pipelines.metrics;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import jakarta.mail.internet.MimeMessage;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.beammlops.pipelines.common.AlertOptions;
import org.beammlops.pipelines.testing.EmbeddedKafka;
import org.beammlops.schemas.Alert;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.MetricWindow;
import org.beammlops.schemas.usecase.AlertRule;
import org.beammlops.transforms.alerts.AlertDelivery;
import org.beammlops.transforms.alerts.AlertJson;
import org.beammlops.transforms.alerts.DeliverAlerts;
import org.beammlops.transforms.alerts.EvaluateAlerts;
import org.beammlops.transforms.feedback.MetricWindowJson;
import org.beammlops.transforms.kafka.PublishMessages;
import org.beammlops.transforms.metrics.CounterSummary;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Alerts end to end against real receivers: a Kafka topic, a webhook (an HTTP server in the test)
 * and an SMTP server (GreenMail in the test JVM). Three breaching windows in a row give exactly one
 * FIRING and one RESOLVED alert on each; a webhook that answers 500, one that refuses connections
 * and a mail server that is down are retried and then dead-lettered while the metric windows still
 * reach their topic.
 */
public class AlertsIT {
  @ClassRule public static final EmbeddedKafka KAFKA = new EmbeddedKafka();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2001-06-01T00:00:00Z");
  private static final AlertRule AUC_LOW =
      new AlertRule(
          "auc-low",
          "delay15",
          "roc_auc",
          AlertRule.Comparison.BELOW,
          0.6,
          3,
          50,
          "WARNING",
          false);

  private GreenMail smtp;
  private HttpServer webhook;
  private final List<String> posts = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger failingCalls = new AtomicInteger();

  @Before
  public void startReceivers() throws Exception {
    smtp = new GreenMail(new ServerSetup(freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    webhook.createContext(
        "/hook",
        exchange -> {
          posts.add(new String(exchange.getRequestBody().readAllBytes(), "UTF-8"));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    webhook.createContext(
        "/broken",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          failingCalls.incrementAndGet();
          exchange.sendResponseHeaders(500, -1);
          exchange.close();
        });
    webhook.start();
  }

  @After
  public void stopReceivers() {
    smtp.stop();
    webhook.stop(0);
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private String url(String path) {
    return "http://127.0.0.1:" + webhook.getAddress().getPort() + path;
  }

  /** AUC of the ON_TIME windows: three in a row below 0.6 (3, 4, 5), good again at 6. */
  private static List<TimestampedValue<MetricWindow>> windows() {
    double[] auc = {0.7, 0.65, 0.7, 0.5, 0.52, 0.58, 0.75, 0.8};
    List<TimestampedValue<MetricWindow>> out = new ArrayList<>();
    for (int i = 0; i < auc.length; i++) {
      MetricWindow w =
          MetricWindow.newBuilder()
              .setUseCase("flights")
              .setTask("delay15")
              .setModelName("flights-delay15")
              .setModelVersion("all")
              .setWindowStart(T0.plusSeconds(600L * i))
              .setWindowEnd(T0.plusSeconds(600L * i + 3600))
              .setTiming("ON_TIME")
              .setPaneIndex(0)
              .setCount(200)
              .setMetrics(Map.of("labelled", 200.0, "roc_auc", auc[i]))
              .build();
      out.add(
          TimestampedValue.of(w, new org.joda.time.Instant(w.getWindowEnd().toEpochMilli() - 1)));
    }
    return out;
  }

  /** Windows to a topic, alerts to a topic and to {@code delivery}; the job's counters. */
  private Map<String, Long> run(
      String windowsTopic,
      String alertsTopic,
      AlertDelivery delivery,
      SerializableFunction<Iterable<DeadLetter>, Void> checkDeadLetters)
      throws Exception {
    KAFKA.createTopics(1, windowsTopic, alertsTopic);
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    PCollection<MetricWindow> windows =
        p.apply(Create.timestamped(windows()).withCoder(AvroCoder.of(MetricWindow.class)));
    windows.apply(
        "PublishWindows",
        PublishMessages.<MetricWindow>to(KAFKA.bootstrapServers(), windowsTopic)
            .encodedBy(w -> KV.of(MetricWindowJson.key(w), MetricWindowJson.json(w)))
            .build());
    PCollection<Alert> alerts = windows.apply(EvaluateAlerts.of(List.of(AUC_LOW)));
    alerts.apply(
        "PublishAlerts",
        PublishMessages.<Alert>to(KAFKA.bootstrapServers(), alertsTopic)
            .encodedBy(a -> KV.of(AlertJson.key(a), AlertJson.json(a)))
            .build());
    PCollection<DeadLetter> deadLetters =
        alerts.apply(DeliverAlerts.with(delivery, "flights", "metrics"));
    PAssert.that(deadLetters).satisfies(checkDeadLetters);
    PipelineResult result = p.run();
    result.waitUntilFinish();
    return CounterSummary.of(result);
  }

  private static AlertDelivery delivery(String webhook, int smtpPort, int attempts) {
    AlertOptions o = PipelineOptionsFactory.as(AlertOptions.class);
    o.setAlertWebhook(webhook);
    o.setAlertSmtp("127.0.0.1:" + smtpPort);
    o.setAlertEmailTo("oncall@example.org");
    o.setAlertDeliveryAttempts(attempts);
    o.setAlertRetryMillis(20);
    return AlertOptions.delivery(o);
  }

  @Test
  public void oneFiringAndOneResolvedOnTheTopicTheWebhookAndByEmail() throws Exception {
    Map<String, Long> counters =
        run(
            "alerts-ok.windows",
            "alerts-ok.alerts",
            delivery(url("/hook"), smtp.getSmtp().getPort(), 3),
            failed -> {
              assertFalse("no delivery failed", failed.iterator().hasNext());
              return null;
            });

    List<String> onTopic = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> m :
        KAFKA.readAll("alerts-ok.alerts", 2, Duration.ofSeconds(30))) {
      JsonNode a = JSON.readTree(m.value());
      onTopic.add(a.get("state").asText() + "@" + a.get("attributes").get("windowStart").asText());
    }
    Collections.sort(onTopic);
    assertEquals(
        List.of("FIRING@" + T0.plusSeconds(3000), "RESOLVED@" + T0.plusSeconds(3600)), onTopic);

    assertEquals(2, posts.size());
    List<String> posted = new ArrayList<>();
    for (String body : posts) {
      JsonNode json = JSON.readTree(body);
      assertTrue(json.get("text").asText(), json.get("text").asText().contains("auc-low"));
      posted.add(json.get("alert").get("state").asText());
    }
    Collections.sort(posted);
    assertEquals(List.of("FIRING", "RESOLVED"), posted);

    assertTrue(smtp.waitForIncomingEmail(10_000, 2));
    MimeMessage[] mails = smtp.getReceivedMessages();
    assertEquals(2, mails.length);
    List<String> subjects = new ArrayList<>();
    for (MimeMessage mail : mails) {
      subjects.add(mail.getSubject());
      assertEquals("oncall@example.org", mail.getAllRecipients()[0].toString());
    }
    Collections.sort(subjects);
    assertTrue(subjects.toString(), subjects.get(0).startsWith("[WARNING] [FIRING] auc-low"));
    assertTrue(subjects.toString(), subjects.get(1).startsWith("[WARNING] [RESOLVED] auc-low"));
    assertEquals(2L, (long) counters.get(DeliverAlerts.WEBHOOK_SENT));
    assertEquals(2L, (long) counters.get(DeliverAlerts.EMAIL_SENT));
  }

  @Test
  public void failingReceiversAreRetriedThenDeadLetteredWhileMetricsGoOn() throws Exception {
    int downSmtp = freePort(); // nothing listens there
    String smtpTarget = "email through 127.0.0.1:" + downSmtp;
    Map<String, Long> counters =
        run(
            "alerts-bad.windows",
            "alerts-bad.alerts",
            delivery(url("/broken"), downSmtp, 3),
            failed -> {
              List<DeadLetter> all = new ArrayList<>();
              failed.forEach(all::add);
              assertEquals(4, all.size());
              for (DeadLetter d : all) {
                assertEquals("DELIVERY_FAILED", d.getErrorType());
                assertTrue(d.getReason(), d.getReason().contains("after 3 attempts"));
              }
              assertEquals(
                  2, all.stream().filter(d -> d.getReason().contains("answered HTTP 500")).count());
              assertEquals(
                  2, all.stream().filter(d -> d.getReason().startsWith(smtpTarget)).count());
              return null;
            });
    // two alerts, each tried 3 times at the webhook, which answered 500 every time
    assertEquals(6, failingCalls.get());
    assertEquals(8L, (long) counters.get(DeliverAlerts.RETRIES));
    // the metric windows and the alerts still reached their topics
    assertEquals(8, KAFKA.readAll("alerts-bad.windows", 8, Duration.ofSeconds(30)).size());
    assertEquals(2, KAFKA.readAll("alerts-bad.alerts", 2, Duration.ofSeconds(30)).size());

    // a webhook URL whose port refuses connections
    AlertOptions o = PipelineOptionsFactory.as(AlertOptions.class);
    o.setAlertWebhook("http://127.0.0.1:" + freePort() + "/hook");
    o.setAlertDeliveryAttempts(2);
    o.setAlertRetryMillis(10);
    run(
        "alerts-refused.windows",
        "alerts-refused.alerts",
        AlertOptions.delivery(o),
        failed -> {
          List<DeadLetter> all = new ArrayList<>();
          failed.forEach(all::add);
          assertEquals(2, all.size());
          assertTrue(all.get(0).getReason(), all.get(0).getReason().contains("after 2 attempts"));
          return null;
        });
  }
}
