package org.beammlops.transforms.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a call against the tracking server with the configured {@link RetryPolicy}: retries
 * connection failures, time-outs, HTTP 429 and 5xx; never a 4xx. Turns every failure into a {@link
 * TrackingException} whose message is redacted.
 */
final class Retrier {
  private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TrackingConfig config;

  Retrier(TrackingConfig config) {
    this.config = config;
  }

  /** Something to try; may throw anything, which is classified. */
  @FunctionalInterface
  interface Attempt<T> extends Callable<T> {}

  <T> T call(String operation, String target, Attempt<T> attempt) {
    RetryPolicy policy = config.retryPolicy();
    int max = policy.maxAttempts();
    for (int n = 1; ; n++) {
      try {
        return attempt.call();
      } catch (Exception e) {
        Failure failure = classify(e);
        if (!failure.transient_ || n >= max) {
          throw failure.toException(operation, target, n, config);
        }
        Duration wait = policy.backoffBefore(n + 1);
        LOG.warn(
            "{} on {} failed (attempt {} of {}): {}; retrying in {} ms",
            operation,
            target,
            n,
            max,
            config.redact(failure.describe()),
            wait.toMillis());
        sleep(wait, operation, target);
      }
    }
  }

  private static void sleep(Duration wait, String operation, String target) {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new TrackingException("Interrupted while retrying " + operation + " on " + target, ie);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private enum Kind {
    CONNECTION,
    HTTP,
    OTHER
  }

  private static final class Failure {
    final Kind kind;
    final boolean transient_;
    final int status;
    final String errorCode;
    final String serverMessage;
    final Throwable cause;

    Failure(
        Kind kind,
        boolean transient_,
        int status,
        String errorCode,
        String serverMessage,
        Throwable cause) {
      this.kind = kind;
      this.transient_ = transient_;
      this.status = status;
      this.errorCode = errorCode;
      this.serverMessage = serverMessage;
      this.cause = cause;
    }

    String describe() {
      switch (kind) {
        case HTTP:
          return "HTTP "
              + status
              + (errorCode != null ? " " + errorCode : "")
              + (serverMessage != null && !serverMessage.isEmpty() ? ": " + serverMessage : "");
        case CONNECTION:
          return causeText(cause);
        default:
          return causeText(cause);
      }
    }

    TrackingException toException(
        String operation, String target, int attempts, TrackingConfig config) {
      String times = attempts == 1 ? "1 attempt" : attempts + " attempts";
      Throwable safeCause = cause instanceof TrackingException ? cause : null;
      switch (kind) {
        case CONNECTION:
          return new TrackingServerUnreachableException(
              config.redact(
                  "Could not reach the MLflow tracking server at "
                      + target
                      + " after "
                      + times
                      + " ("
                      + operation
                      + "): "
                      + describe()),
              attempts,
              // Connection errors name host and port only, never a header: keep them as cause.
              cause);
        case HTTP:
          String text =
              transient_
                  ? "MLflow tracking server at "
                      + target
                      + " still failing after "
                      + times
                      + " ("
                      + operation
                      + "): "
                      + describe()
                  : operation + " on " + target + " failed: " + describe();
          return new TrackingException(config.redact(text), status, errorCode, safeCause);
        default:
          if (cause instanceof TrackingException te) {
            return te;
          }
          return new TrackingException(
              config.redact(operation + " on " + target + " failed: " + describe()), safeCause);
      }
    }
  }

  private static Failure classify(Exception e) {
    if (e instanceof MlflowHttpException h) {
      return httpFailure(h.getStatusCode(), h.getBodyMessage(), e);
    }
    if (e instanceof HttpStatusException h) {
      return httpFailure(h.status(), h.body(), e);
    }
    if (e instanceof TrackingException) {
      return new Failure(Kind.OTHER, false, -1, null, null, e);
    }
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return new Failure(Kind.OTHER, false, -1, null, null, e);
    }
    Throwable io = ioCause(e);
    if (io != null) {
      boolean tlsConfig =
          io instanceof SSLHandshakeException || io instanceof SSLPeerUnverifiedException;
      if (io instanceof InterruptedIOException
          && !(io instanceof HttpTimeoutException)
          && Thread.currentThread().isInterrupted()) {
        return new Failure(Kind.OTHER, false, -1, null, null, io);
      }
      return new Failure(Kind.CONNECTION, !tlsConfig, -1, null, null, io);
    }
    return new Failure(Kind.OTHER, false, -1, null, null, e);
  }

  private static Throwable ioCause(Throwable e) {
    Throwable t = e;
    for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
      if (t instanceof IOException) {
        return t;
      }
      if (!(t instanceof MlflowClientException) && !(t instanceof UncheckedIOException)) {
        return null;
      }
    }
    return null;
  }

  private static Failure httpFailure(int status, String body, Exception e) {
    boolean transient_ = status == 429 || status >= 500;
    String errorCode = null;
    String message = body == null ? "" : body.trim();
    try {
      JsonNode node = JSON.readTree(message);
      if (node != null && node.isObject()) {
        if (node.hasNonNull("error_code")) {
          errorCode = node.get("error_code").asText();
        }
        if (node.hasNonNull("message")) {
          message = node.get("message").asText();
        }
      }
    } catch (IOException | RuntimeException notJson) {
      // keep the raw body
    }
    if (message.length() > 1000) {
      message = message.substring(0, 1000) + "...";
    }
    return new Failure(Kind.HTTP, transient_, status, errorCode, message, null);
  }

  private static String causeText(Throwable t) {
    if (t == null) {
      return "unknown error";
    }
    String msg = t.getMessage();
    String name = t.getClass().getSimpleName();
    return msg == null || msg.isEmpty() ? name : name + ": " + msg;
  }
}
