package org.beammlops.local;

import java.util.Map;

/**
 * What one local service reports about itself, so that {@code status} prints one line per service
 * and {@code local.env} holds the variables of whichever services are running.
 *
 * @param name the component name, e.g. {@code kafka}
 * @param state running, stopped, or unhealthy (process alive but not answering)
 * @param detail key=value words after the state, e.g. {@code pid=123 bootstrap=127.0.0.1:9092}
 * @param env environment variables that let other commands find the service while it runs
 */
public record ServiceStatus(String name, State state, String detail, Map<String, String> env) {

  /** The states a service can be seen in. */
  public enum State {
    RUNNING,
    STOPPED,
    UNHEALTHY;

    String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public static ServiceStatus stopped(String name) {
    return new ServiceStatus(name, State.STOPPED, "", Map.of());
  }

  public boolean running() {
    return state == State.RUNNING;
  }

  /** The status line, e.g. {@code kafka: running pid=123 bootstrap=127.0.0.1:9092 topics=6}. */
  public String line() {
    return name + ": " + state.word() + (detail.isEmpty() ? "" : " " + detail);
  }
}
