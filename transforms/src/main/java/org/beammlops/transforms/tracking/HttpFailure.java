package org.beammlops.transforms.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.http.HttpTimeoutException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * What went wrong with one call to the tracking server, and whether trying again can help:
 * connection failures, time-outs, HTTP 429 and 5xx are transient; other 4xx, TLS configuration
 * errors and anything else are not. Builds the {@link TrackingException} the caller sees, with
 * every secret redacted.
 */
final class HttpFailure {
  private static final ObjectMapper JSON = new ObjectMapper();

  private enum Kind {
    CONNECTION,
    HTTP,
    OTHER
  }

  private final Kind kind;
  private final boolean isTransient;
  private final int status;
  private final String errorCode;
  private final String serverMessage;
  private final Throwable cause;

  private HttpFailure(
      Kind kind,
      boolean isTransient,
      int status,
      String errorCode,
      String serverMessage,
      Throwable cause) {
    this.kind = kind;
    this.isTransient = isTransient;
    this.status = status;
    this.errorCode = errorCode;
    this.serverMessage = serverMessage;
    this.cause = cause;
  }

  /** Whether another attempt may succeed. */
  boolean isTransient() {
    return isTransient;
  }

  /** The failure of an attempt that threw {@code e}. */
  static HttpFailure of(Exception e) {
    if (e instanceof HttpStatusException h) {
      return http(h.status(), h.body());
    }
    if (e instanceof TrackingException) {
      return new HttpFailure(Kind.OTHER, false, -1, null, null, e);
    }
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return new HttpFailure(Kind.OTHER, false, -1, null, null, e);
    }
    Throwable io = ioCause(e);
    if (io != null) {
      boolean tlsConfig =
          io instanceof SSLHandshakeException || io instanceof SSLPeerUnverifiedException;
      if (io instanceof InterruptedIOException
          && !(io instanceof HttpTimeoutException)
          && Thread.currentThread().isInterrupted()) {
        return new HttpFailure(Kind.OTHER, false, -1, null, null, io);
      }
      return new HttpFailure(Kind.CONNECTION, !tlsConfig, -1, null, null, io);
    }
    return new HttpFailure(Kind.OTHER, false, -1, null, null, e);
  }

  /** One line for a log, e.g. {@code HTTP 503 TEMPORARILY_UNAVAILABLE: busy}. */
  String describe() {
    if (kind == Kind.HTTP) {
      return "HTTP "
          + status
          + (errorCode != null ? " " + errorCode : "")
          + (serverMessage != null && !serverMessage.isEmpty() ? ": " + serverMessage : "");
    }
    return causeText(cause);
  }

  /** The exception for the caller after {@code attempts} attempts, redacted by {@code config}. */
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
            isTransient
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

  private static Throwable ioCause(Throwable e) {
    Throwable t = e;
    for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
      if (t instanceof IOException) {
        return t;
      }
      if (!(t instanceof UncheckedIOException)) {
        return null;
      }
    }
    return null;
  }

  private static HttpFailure http(int status, String body) {
    boolean isTransient = status == 429 || status >= 500;
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
    return new HttpFailure(Kind.HTTP, isTransient, status, errorCode, message, null);
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
