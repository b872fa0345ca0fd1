package org.beammlops.local.tracking;

/**
 * An error answered the way MLflow's server answers it: JSON {@code {"error_code": ..., "message":
 * ...}} with the HTTP status MLflow maps the code to ({@code mlflow/exceptions.py}).
 */
public final class MlflowError extends RuntimeException {
  public static final String INVALID_PARAMETER_VALUE = "INVALID_PARAMETER_VALUE";
  public static final String RESOURCE_DOES_NOT_EXIST = "RESOURCE_DOES_NOT_EXIST";
  public static final String RESOURCE_ALREADY_EXISTS = "RESOURCE_ALREADY_EXISTS";
  public static final String BAD_REQUEST = "BAD_REQUEST";
  public static final String INVALID_STATE = "INVALID_STATE";
  public static final String INTERNAL_ERROR = "INTERNAL_ERROR";
  public static final String ENDPOINT_NOT_FOUND = "ENDPOINT_NOT_FOUND";
  public static final String UNAUTHENTICATED = "UNAUTHENTICATED";
  public static final String NOT_IMPLEMENTED = "NOT_IMPLEMENTED";

  private final String errorCode;
  private final int status;

  public MlflowError(String errorCode, int status, String message) {
    super(message);
    this.errorCode = errorCode;
    this.status = status;
  }

  public MlflowError(String errorCode, String message) {
    this(errorCode, statusOf(errorCode), message);
  }

  public String errorCode() {
    return errorCode;
  }

  public int status() {
    return status;
  }

  public static MlflowError invalid(String message) {
    return new MlflowError(INVALID_PARAMETER_VALUE, message);
  }

  public static MlflowError notFound(String message) {
    return new MlflowError(RESOURCE_DOES_NOT_EXIST, message);
  }

  public static MlflowError exists(String message) {
    return new MlflowError(RESOURCE_ALREADY_EXISTS, message);
  }

  public static MlflowError badRequest(String message) {
    return new MlflowError(BAD_REQUEST, message);
  }

  /** A body over the size limit: HTTP 413, with MLflow's generic client-error code. */
  public static MlflowError tooLarge(long limit) {
    return new MlflowError(
        BAD_REQUEST,
        413,
        "Request body is larger than the limit of " + limit + " bytes for this endpoint");
  }

  /** The HTTP status MLflow answers with for an error code ({@code ERROR_CODE_TO_HTTP_STATUS}). */
  static int statusOf(String errorCode) {
    return switch (errorCode) {
      case INVALID_PARAMETER_VALUE, RESOURCE_ALREADY_EXISTS, BAD_REQUEST -> 400;
      case RESOURCE_DOES_NOT_EXIST, ENDPOINT_NOT_FOUND -> 404;
      case UNAUTHENTICATED -> 401;
      case NOT_IMPLEMENTED -> 501;
      default -> 500;
    };
  }
}
