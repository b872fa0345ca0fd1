package org.beammlops.pipelines.common;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.beammlops.transforms.alerts.AlertDelivery;
import org.beammlops.transforms.tracking.RetryPolicy;

/**
 * Where a pipeline's alerts go besides {@code <uc>.alerts}: a webhook and email over SMTP. Shared
 * by the pipelines that raise alerts (metrics, score for refused models); credentials are named by
 * environment variable, never given on the command line.
 */
public interface AlertOptions extends PipelineOptions {
  @Description("URL that alerts are POSTed to as JSON (Slack's incoming webhooks take it as is).")
  String getAlertWebhook();

  void setAlertWebhook(String value);

  @Description("SMTP server for alert emails (host or host:port; port 25 by default).")
  String getAlertSmtp();

  void setAlertSmtp(String value);

  @Description("Use STARTTLS with the SMTP server.")
  @Default.Boolean(false)
  boolean getAlertSmtpStartTls();

  void setAlertSmtpStartTls(boolean value);

  @Description("Sender address of alert emails.")
  @Default.String("beam-mlops@localhost")
  String getAlertEmailFrom();

  void setAlertEmailFrom(String value);

  @Description("Recipients of alert emails, comma-separated.")
  String getAlertEmailTo();

  void setAlertEmailTo(String value);

  @Description("Environment variable holding the SMTP user name (none: no authentication).")
  String getAlertSmtpUsernameEnv();

  void setAlertSmtpUsernameEnv(String value);

  @Description("Environment variable holding the SMTP password.")
  String getAlertSmtpPasswordEnv();

  void setAlertSmtpPasswordEnv(String value);

  @Description("Attempts per alert delivery before it is a dead letter.")
  @Default.Integer(4)
  int getAlertDeliveryAttempts();

  void setAlertDeliveryAttempts(int value);

  @Description("Wait before the second delivery attempt, in milliseconds; doubled after each.")
  @Default.Long(500)
  long getAlertRetryMillis();

  void setAlertRetryMillis(long value);

  /** The delivery these options describe, checked. */
  public static AlertDelivery delivery(PipelineOptions options) {
    AlertOptions o = options.as(AlertOptions.class);
    String host = null;
    int port = 25;
    if (o.getAlertSmtp() != null && !o.getAlertSmtp().isBlank()) {
      String[] hostPort = o.getAlertSmtp().trim().split(":", 2);
      host = hostPort[0];
      if (hostPort.length == 2) {
        try {
          port = Integer.parseInt(hostPort[1]);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "--alertSmtp=" + o.getAlertSmtp() + " must be host or host:port");
        }
      }
    }
    List<String> to =
        o.getAlertEmailTo() == null
            ? List.of()
            : Arrays.stream(o.getAlertEmailTo().split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    if (host != null && to.isEmpty()) {
      throw new IllegalArgumentException("--alertSmtp needs --alertEmailTo=<address>[,...]");
    }
    if (o.getAlertDeliveryAttempts() < 1) {
      throw new IllegalArgumentException(
          "--alertDeliveryAttempts must be at least 1, not " + o.getAlertDeliveryAttempts());
    }
    return new AlertDelivery(
        o.getAlertWebhook() == null || o.getAlertWebhook().isBlank() ? null : o.getAlertWebhook(),
        host,
        port,
        o.getAlertSmtpStartTls(),
        o.getAlertEmailFrom(),
        to,
        o.getAlertSmtpUsernameEnv(),
        o.getAlertSmtpPasswordEnv(),
        new RetryPolicy(
            o.getAlertDeliveryAttempts(),
            Duration.ofMillis(o.getAlertRetryMillis()),
            Duration.ofMillis(o.getAlertRetryMillis() * 16)),
        Duration.ofSeconds(5));
  }
}
