package org.beammlops.pipelines.common;

import java.util.Map;

/**
 * When a streaming job that never ends by itself has done its work: once its counters have moved
 * (it has seen input) and then stayed the same for a while. A replay or a demo knows when its input
 * ends, but the job does not; without this it must be given a fixed run time, which is either too
 * short on a busy machine or wastes minutes on a quiet one. Plain Java, fed counter snapshots, so
 * that it is tested without a runner.
 */
public final class IdleStop {
  private final long idleMillis;
  private Map<String, Long> last;
  private long lastChangeMillis;
  private boolean started;

  /** Stops after {@code idleMillis} without any counter change once some counter is non-zero. */
  public IdleStop(long idleMillis) {
    if (idleMillis <= 0) {
      throw new IllegalArgumentException("idle time must be positive, not " + idleMillis + " ms");
    }
    this.idleMillis = idleMillis;
  }

  /** Takes one snapshot of the counters at {@code nowMillis}; true once the job has gone idle. */
  public boolean idle(Map<String, Long> counters, long nowMillis) {
    if (last == null || !last.equals(counters)) {
      last = Map.copyOf(counters);
      lastChangeMillis = nowMillis;
      started = started || counters.values().stream().anyMatch(v -> v != null && v != 0);
      return false;
    }
    return started && nowMillis - lastChangeMillis >= idleMillis;
  }
}
