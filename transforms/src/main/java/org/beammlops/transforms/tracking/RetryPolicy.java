package org.beammlops.transforms.tracking;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounded exponential backoff for transient failures: connection refused or reset, time-outs, HTTP
 * 429 and 5xx. Client errors (other 4xx) are never retried.
 *
 * @param maxAttempts total attempts including the first one (at least 1)
 * @param initialBackoff wait before the second attempt; doubled before each following one
 * @param maxBackoff upper bound of a single wait
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

  /** Five attempts, waiting 0.5 s, 1 s, 2 s, 4 s in between (7.5 s at most). */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(8));

  /** One attempt, no retry. */
  public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

  public RetryPolicy {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
      throw new IllegalArgumentException("backoff durations must not be negative");
    }
  }

  /** A policy with {@code maxAttempts} attempts and the same backoff. */
  public RetryPolicy withMaxAttempts(int attempts) {
    return new RetryPolicy(attempts, initialBackoff, maxBackoff);
  }

  /**
   * How long to wait before attempt number {@code attempt} (2 for the first retry): {@code
   * initialBackoff * 2^(attempt - 2)}, capped at {@code maxBackoff}.
   */
  public Duration backoffBefore(int attempt) {
    if (attempt < 2) {
      return Duration.ZERO;
    }
    long initial = initialBackoff.toMillis();
    int doublings = Math.min(attempt - 2, 30);
    long millis = initial <= 0 ? 0 : initial << doublings;
    if (millis < 0 || millis > maxBackoff.toMillis()) {
      millis = maxBackoff.toMillis();
    }
    return Duration.ofMillis(millis);
  }
}
