package org.beammlops.local;

/**
 * A failure the user can act on, such as a port in use or a broker that never became ready; its
 * message is printed as the one error line, so it must make sense without a stack trace.
 */
public class LocalStackException extends RuntimeException {
  public LocalStackException(String message) {
    super(message);
  }

  public LocalStackException(String message, Throwable cause) {
    super(message, cause);
  }
}
