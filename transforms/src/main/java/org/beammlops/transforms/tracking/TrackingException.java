package org.beammlops.transforms.tracking;

import java.util.Optional;

/**
 * A failed call to the MLflow tracking server (or to the artifact store behind it).
 *
 * <p>Carries the HTTP status and MLflow's {@code error_code} when the server answered. Messages
 * never contain a password or token: they are redacted before the exception is built.
 */
public class TrackingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** No HTTP status: the failure happened before or without an HTTP answer. */
  public static final int NO_STATUS = -1;

  private final int httpStatus;
  private final String errorCode;

  public TrackingException(String message) {
    this(message, NO_STATUS, null, null);
  }

  public TrackingException(String message, Throwable cause) {
    this(message, NO_STATUS, null, cause);
  }

  public TrackingException(String message, int httpStatus, String errorCode, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  /** The HTTP status the server answered with, or {@link #NO_STATUS}. */
  public int httpStatus() {
    return httpStatus;
  }

  /**
   * MLflow's {@code error_code} (e.g. {@code RESOURCE_DOES_NOT_EXIST}) when the server sent one.
   */
  public Optional<String> errorCode() {
    return Optional.ofNullable(errorCode);
  }

  /** True when the server said the thing asked for does not exist (HTTP 404). */
  public boolean isNotFound() {
    return httpStatus == 404 || "RESOURCE_DOES_NOT_EXIST".equals(errorCode);
  }

  /** True when the server said the thing to create exists already. */
  public boolean isAlreadyExists() {
    return "RESOURCE_ALREADY_EXISTS".equals(errorCode);
  }
}
