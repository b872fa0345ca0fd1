package org.beammlops.benchmarks;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one measured phase of {@code bench score} amounts to, computed from when each request was
 * produced and when its prediction was consumed (both {@link System#nanoTime} in the bench's JVM).
 *
 * <p>Two choices keep the figures honest:
 *
 * <ul>
 *   <li>The rate is taken over the <em>steady window</em>: the arrivals between the {@code trim}
 *       and {@code 1 - trim} quantiles of arrival time, so neither the ramp-up of the first batches
 *       nor the thinning tail of the last ones counts.
 *   <li>A request whose prediction never arrived still counts in the latency percentiles, with the
 *       time it had waited when the phase ended. Its true latency is at least that, so the
 *       percentiles are then lower bounds ({@code complete = false}) rather than figures that leave
 *       out exactly the slowest requests.
 * </ul>
 *
 * @param sent requests produced
 * @param received distinct predictions consumed
 * @param eventsPerSec predictions consumed per second over the steady window
 * @param windowSeconds length of the steady window
 * @param p50Millis median latency, request produced to prediction consumed
 * @param p99Millis 99th percentile of the same
 * @param complete whether every request got its prediction (else the percentiles are lower bounds)
 */
record PhaseStats(
    long sent,
    long received,
    double eventsPerSec,
    double windowSeconds,
    double p50Millis,
    double p99Millis,
    boolean complete) {

  /** Share of arrivals cut from each end of the window the rate is measured over. */
  static final double TRIM = 0.05;

  /**
   * @param sentNanos send time of request {@code i}, for {@code i < sent}
   * @param receivedNanos arrival time of the prediction of request {@code i}, 0 if none arrived
   * @param sent how many requests were produced
   * @param endNanos when the phase stopped waiting: the waiting time of missing predictions
   */
  static PhaseStats of(long[] sentNanos, long[] receivedNanos, int sent, long endNanos) {
    long[] latencies = new long[sent];
    long[] arrivals = new long[sent];
    int received = 0;
    for (int i = 0; i < sent; i++) {
      long arrival = receivedNanos[i];
      if (arrival != 0) {
        arrivals[received++] = arrival;
      }
      latencies[i] = (arrival != 0 ? arrival : endNanos) - sentNanos[i];
    }
    Arrays.sort(latencies);
    long[] steady = Arrays.copyOf(arrivals, received);
    Arrays.sort(steady);
    double rate = 0;
    double window = 0;
    if (received >= 2) {
      int lo = (int) Math.floor(TRIM * (received - 1));
      int hi = received - 1 - lo;
      window = (steady[hi] - steady[lo]) / 1e9;
      rate = window > 0 ? (hi - lo) / window : 0;
    }
    return new PhaseStats(
        sent,
        received,
        rate,
        window,
        percentile(latencies, 0.50) / 1e6,
        percentile(latencies, 0.99) / 1e6,
        received == sent);
  }

  /** Nearest-rank percentile of sorted values; 0 when there are none. */
  static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }

  /** For the JSON report: rounded, in the order people read them. */
  Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("eventsPerSec", Math.round(eventsPerSec));
    out.put("p50Millis", round1(p50Millis));
    out.put("p99Millis", round1(p99Millis));
    out.put("sent", sent);
    out.put("received", received);
    out.put("steadySeconds", round1(windowSeconds));
    out.put("complete", complete);
    return out;
  }

  static double round1(double value) {
    return Math.round(value * 10) / 10.0;
  }
}
