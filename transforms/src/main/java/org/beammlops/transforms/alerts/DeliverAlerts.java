package org.beammlops.transforms.alerts;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.BackOff;
import org.apache.beam.sdk.util.FluentBackoff;
import org.apache.beam.sdk.util.Sleeper;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.beammlops.schemas.Alert;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.transforms.deadletter.DeadLetters;
import org.beammlops.transforms.deadletter.ErrorType;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each alert to the webhook and by email, as {@link AlertDelivery} says. A delivery that
 * fails (a refused connection, an HTTP status other than 2xx, an SMTP error) is retried with
 * exponential backoff; after the last attempt the alert is a {@code DELIVERY_FAILED} dead letter
 * with the body it could not deliver and why, and the pipeline goes on.
 */
public final class DeliverAlerts extends PTransform<PCollection<Alert>, PCollection<DeadLetter>> {
  public static final String WEBHOOK_SENT = "alertsToWebhook";
  public static final String EMAIL_SENT = "alertsByEmail";
  public static final String RETRIES = "alertDeliveryRetries";

  private final AlertDelivery delivery;
  private final DeadLetters.Origin origin;

  private DeliverAlerts(AlertDelivery delivery, DeadLetters.Origin origin) {
    this.delivery = delivery;
    this.origin = origin;
  }

  /** Delivers {@code pipeline}'s alerts of {@code useCase} as {@code delivery} says. */
  public static DeliverAlerts with(AlertDelivery delivery, String useCase, String pipeline) {
    return new DeliverAlerts(delivery, DeadLetters.from(useCase, pipeline, "DeliverAlerts"));
  }

  @Override
  public PCollection<DeadLetter> expand(PCollection<Alert> alerts) {
    List<PCollection<DeadLetter>> failures = new ArrayList<>();
    if (delivery.hasWebhook()) {
      failures.add(alerts.apply("ToWebhook", ParDo.of(new WebhookFn(delivery, origin))));
    }
    if (delivery.hasEmail()) {
      failures.add(alerts.apply("ByEmail", ParDo.of(new EmailFn(delivery, origin))));
    }
    if (failures.isEmpty()) {
      return alerts
          .apply(
              "Nowhere",
              ParDo.of(
                  new DoFn<Alert, DeadLetter>() {
                    @ProcessElement
                    public void process() {}
                  }))
          .setCoder(AvroCoder.of(DeadLetter.class));
    }
    for (PCollection<DeadLetter> f : failures) {
      f.setCoder(AvroCoder.of(DeadLetter.class));
    }
    return PCollectionList.of(failures).apply("DeliveryFailures", Flatten.pCollections());
  }

  /** One delivery attempt; throws on failure. */
  interface Attempt {
    void run() throws Exception;
  }

  /** Runs {@code attempt} with the policy's retries; the last failure's description, or null. */
  static String withRetries(AlertDelivery delivery, String what, Attempt attempt) {
    var policy = delivery.retry();
    BackOff backoff =
        policy.maxAttempts() <= 1
            ? BackOff.STOP_BACKOFF
            : FluentBackoff.DEFAULT
                .withMaxRetries(policy.maxAttempts() - 1)
                .withInitialBackoff(
                    org.joda.time.Duration.millis(Math.max(1, policy.initialBackoff().toMillis())))
                .withMaxBackoff(
                    org.joda.time.Duration.millis(Math.max(1, policy.maxBackoff().toMillis())))
                .backoff();
    Counter retries = PipelineCounters.counter(RETRIES);
    for (int n = 1; ; n++) {
      try {
        attempt.run();
        return null;
      } catch (Exception e) {
        long wait;
        try {
          wait = backoff.nextBackOffMillis();
        } catch (IOException io) {
          wait = BackOff.STOP;
        }
        String failure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (wait == BackOff.STOP) {
          return what + " failed after " + n + (n == 1 ? " attempt: " : " attempts: ") + failure;
        }
        LoggerFactory.getLogger(DeliverAlerts.class)
            .warn("{} failed (attempt {}): {}; retrying in {} ms", what, n, failure, wait);
        retries.inc();
        try {
          Sleeper.DEFAULT.sleep(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return what + " interrupted while retrying: " + failure;
        }
      }
    }
  }

  /** POSTs the alert's JSON to the webhook. */
  static final class WebhookFn extends DoFn<Alert, DeadLetter> {
    private final AlertDelivery delivery;
    private final DeadLetters.Origin origin;
    private transient HttpClient http;
    private transient Counter sent;

    WebhookFn(AlertDelivery delivery, DeadLetters.Origin origin) {
      this.delivery = delivery;
      this.origin = origin;
    }

    @Setup
    public void setup() {
      http =
          HttpClient.newBuilder()
              .connectTimeout(delivery.timeout())
              .followRedirects(HttpClient.Redirect.NEVER)
              .build();
      sent = PipelineCounters.counter(WEBHOOK_SENT);
    }

    @ProcessElement
    public void process(@Element Alert alert, OutputReceiver<DeadLetter> failures) {
      byte[] body = AlertJson.webhookBody(alert);
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(delivery.webhookUrl()))
              .timeout(delivery.timeout())
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
              .build();
      String failure =
          withRetries(
              delivery,
              "webhook " + delivery.webhookUrl(),
              () -> {
                HttpResponse<String> response =
                    http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 != 2) {
                  throw new IOException("answered HTTP " + response.statusCode());
                }
              });
      if (failure == null) {
        sent.inc();
      } else {
        failures.output(
            origin.reject("webhook", 0, body, body.length, ErrorType.DELIVERY_FAILED, failure));
      }
    }
  }

  /** Mails the alert over SMTP (Jakarta Mail). */
  static final class EmailFn extends DoFn<Alert, DeadLetter> {
    private static final Logger LOG = LoggerFactory.getLogger(EmailFn.class);
    private final AlertDelivery delivery;
    private final DeadLetters.Origin origin;
    private transient jakarta.mail.Session session;
    private transient Counter sent;

    EmailFn(AlertDelivery delivery, DeadLetters.Origin origin) {
      this.delivery = delivery;
      this.origin = origin;
    }

    @Setup
    public void setup() {
      Properties p = new Properties();
      p.put("mail.smtp.host", delivery.smtpHost());
      p.put("mail.smtp.port", Integer.toString(delivery.smtpPort()));
      p.put("mail.smtp.connectiontimeout", Long.toString(delivery.timeout().toMillis()));
      p.put("mail.smtp.timeout", Long.toString(delivery.timeout().toMillis()));
      p.put("mail.smtp.writetimeout", Long.toString(delivery.timeout().toMillis()));
      p.put("mail.smtp.starttls.enable", Boolean.toString(delivery.startTls()));
      p.put("mail.smtp.starttls.required", Boolean.toString(delivery.startTls()));
      jakarta.mail.Authenticator authenticator = null;
      if (delivery.usernameEnv() != null) {
        p.put("mail.smtp.auth", "true");
        String user = System.getenv(delivery.usernameEnv());
        String password =
            delivery.passwordEnv() == null ? null : System.getenv(delivery.passwordEnv());
        if (user == null) {
          LOG.warn("{} is not set: alert emails go unauthenticated", delivery.usernameEnv());
        }
        authenticator =
            new jakarta.mail.Authenticator() {
              @Override
              protected jakarta.mail.PasswordAuthentication getPasswordAuthentication() {
                return new jakarta.mail.PasswordAuthentication(user, password);
              }
            };
      }
      session = jakarta.mail.Session.getInstance(p, authenticator);
      sent = PipelineCounters.counter(EMAIL_SENT);
    }

    @ProcessElement
    public void process(@Element Alert alert, OutputReceiver<DeadLetter> failures) {
      byte[] body = AlertJson.json(alert);
      String failure =
          withRetries(
              delivery,
              "email through " + delivery.smtpHost() + ":" + delivery.smtpPort(),
              () -> {
                var message = new jakarta.mail.internet.MimeMessage(session);
                message.setFrom(new jakarta.mail.internet.InternetAddress(delivery.from()));
                for (String to : delivery.to()) {
                  message.addRecipient(
                      jakarta.mail.Message.RecipientType.TO,
                      new jakarta.mail.internet.InternetAddress(to));
                }
                message.setSubject(
                    "[" + alert.getSeverity() + "] " + firstLine(alert.getMessage()), "UTF-8");
                message.setText(text(alert), "UTF-8");
                jakarta.mail.Transport.send(message);
              });
      if (failure == null) {
        sent.inc();
      } else {
        failures.output(
            origin.reject("email", 0, body, body.length, ErrorType.DELIVERY_FAILED, failure));
      }
    }

    private static String firstLine(String message) {
      int cut = message.indexOf(" (window ");
      return cut < 0 ? message : message.substring(0, cut);
    }

    private static String text(Alert alert) {
      StringBuilder text = new StringBuilder(alert.getMessage()).append("\n\n");
      alert.getAttributes().forEach((k, v) -> text.append(k).append(": ").append(v).append('\n'));
      text.append("at: ").append(alert.getAt()).append('\n');
      text.append("source: ").append(alert.getSource()).append('\n');
      return text.toString();
    }
  }
}
