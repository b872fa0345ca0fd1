package org.beammlops.transforms.deadletter;

/**
 * Why one record was rejected. Thrown by the parsers and turned into a dead letter by the transform
 * that called them; it never escapes a pipeline.
 */
public final class RejectedRecordException extends Exception {
  private final ErrorType errorType;

  public RejectedRecordException(ErrorType errorType, String reason) {
    super(reason, null, false, false);
    this.errorType = errorType;
  }

  public ErrorType errorType() {
    return errorType;
  }
}
