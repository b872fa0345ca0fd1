package org.beammlops.transforms.tracking;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounded exponential backoff for transient failures: connection refused or reset, time-outs, HTTP
 * 429 and 5xx. Client errors (other 4xx) are never retried. The waits are Beam's {@code
 * FluentBackoff}'s: doubling from {@code initialBackoff}, capped at {@code maxBackoff}, jittered.
 *
 * @param maxAttempts total attempts including the first one (at least 1)
 * @param initialBackoff wait before the second attempt (about); doubled before each following one
 * @param maxBackoff upper bound of a single wait
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff)
    implements java.io.Serializable {

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
}
