package org.beammlops.transforms.tracking;

/**
 * The tracking server (or artifact server) could not be reached at all: connection refused or
 * reset, host unknown, time-outs, on every attempt the retry policy allowed.
 */
public class TrackingServerUnreachableException extends TrackingException {
  private static final long serialVersionUID = 1L;

  private final int attempts;

  public TrackingServerUnreachableException(String message, int attempts, Throwable cause) {
    super(message, cause);
    this.attempts = attempts;
  }

  /** How many attempts were made before giving up. */
  public int attempts() {
    return attempts;
  }
}
