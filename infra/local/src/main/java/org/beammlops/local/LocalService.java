package org.beammlops.local;

import java.io.PrintStream;

/**
 * One component of the local stack (the Kafka broker now, a tracking server later), so that {@link
 * LocalStack} can start, stop and report each of them the same way and by name.
 */
public interface LocalService {

  /** The component name used on the command line, e.g. {@code kafka}. */
  String name();

  /**
   * Starts the service unless it already runs, then makes sure it is usable (e.g. topics exist).
   * Progress and result lines go to {@code out}.
   *
   * @throws LocalStackException if it cannot be started
   */
  void up(PrintStream out);

  /** Stops the service if it runs and waits until its ports are free; a no-op otherwise. */
  void down(PrintStream out);

  /** The current state, found by looking at the process and asking the service itself. */
  ServiceStatus status();
}
