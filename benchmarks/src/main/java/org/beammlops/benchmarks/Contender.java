package org.beammlops.benchmarks;

/**
 * One way of scoring of {@code bench score} — the plain loop, or the score pipeline on a runner —
 * started on a fresh pair of topics and stopped once its measurement is over.
 */
interface Contender extends AutoCloseable {

  /** Starts a contender on its topics; returns once it is starting (not when it is ready). */
  @FunctionalInterface
  interface Starter {
    Contender start(BenchTopics topics);
  }

  /** Throws, saying why, if the contender stopped by itself (a failed job, a dead loop). */
  void check();

  /** Stops scoring and frees what the contender holds; never throws. */
  @Override
  void close();
}
