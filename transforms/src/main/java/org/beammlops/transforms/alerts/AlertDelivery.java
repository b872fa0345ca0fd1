package org.beammlops.transforms.alerts;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import org.beammlops.transforms.tracking.RetryPolicy;

/**
 * Where alerts go besides their topic, carried to the workers as a value: a webhook URL, and an
 * SMTP server with sender and recipients. Credentials are named by environment variable, never
 * held. Each delivery is retried as {@code retry} says; after the last attempt it is a dead letter.
 *
 * @param webhookUrl an http(s) URL that takes a JSON POST, or null for none
 * @param smtpHost the mail server, or null for no email
 * @param smtpPort its port
 * @param startTls whether to upgrade the connection with STARTTLS
 * @param from the sender address
 * @param to the recipients
 * @param usernameEnv the variable holding the SMTP user name, or null for no authentication
 * @param passwordEnv the variable holding the SMTP password
 * @param retry the attempts and waits of one delivery
 * @param timeout connect and read time-out of one attempt
 */
public record AlertDelivery(
    String webhookUrl,
    String smtpHost,
    int smtpPort,
    boolean startTls,
    String from,
    List<String> to,
    String usernameEnv,
    String passwordEnv,
    RetryPolicy retry,
    Duration timeout)
    implements Serializable {

  /** Nowhere but the topic. */
  public static final AlertDelivery NONE =
      new AlertDelivery(
          null,
          null,
          25,
          false,
          null,
          List.of(),
          null,
          null,
          RetryPolicy.NONE,
          Duration.ofSeconds(5));

  public AlertDelivery {
    to = List.copyOf(to);
    if (webhookUrl != null && !webhookUrl.matches("(?i)https?://.+")) {
      throw new IllegalArgumentException(
          "the alert webhook must be an http:// or https:// URL, not " + webhookUrl);
    }
    if (smtpHost != null && (from == null || to.isEmpty())) {
      throw new IllegalArgumentException(
          "alert email through " + smtpHost + " needs a sender and at least one recipient");
    }
  }

  /** True when alerts go to a webhook. */
  public boolean hasWebhook() {
    return webhookUrl != null;
  }

  /** True when alerts go by email. */
  public boolean hasEmail() {
    return smtpHost != null;
  }
}
