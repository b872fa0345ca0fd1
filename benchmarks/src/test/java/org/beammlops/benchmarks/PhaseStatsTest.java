package org.beammlops.benchmarks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class PhaseStatsTest {
  private static final long MS = 1_000_000L;

  @Test
  public void rateIsTakenOverTheTrimmedWindowOfArrivals() {
    // 101 predictions arriving 10 ms apart after a slow first one and before a late last one.
    int n = 101;
    long[] sent = new long[n];
    long[] received = new long[n];
    for (int i = 0; i < n; i++) {
      received[i] = 1_000 * MS + i * 10 * MS;
    }
    received[0] = 1 * MS;
    received[n - 1] = 100_000 * MS;
    PhaseStats stats = PhaseStats.of(sent, received, n, 0);
    // Trim 5 arrivals from each end: 90 intervals of 10 ms.
    assertEquals(100.0, stats.eventsPerSec(), 1e-9);
    assertEquals(0.9, stats.windowSeconds(), 1e-9);
    assertTrue(stats.complete());
  }

  @Test
  public void percentilesAreNearestRankOfLatency() {
    int n = 100;
    long[] sent = new long[n];
    long[] received = new long[n];
    for (int i = 0; i < n; i++) {
      sent[i] = i * MS;
      received[i] = sent[i] + (i + 1) * MS; // latencies 1..100 ms, in some order of arrival
    }
    PhaseStats stats = PhaseStats.of(sent, received, n, 0);
    assertEquals(50.0, stats.p50Millis(), 1e-9);
    assertEquals(99.0, stats.p99Millis(), 1e-9);
  }

  @Test
  public void missingPredictionsCountWithTheirWaitSoFar() {
    long[] sent = {0, 0, 0, 0};
    long[] received = {1 * MS, 2 * MS, 0, 0};
    PhaseStats stats = PhaseStats.of(sent, received, 4, 500 * MS);
    assertEquals(2, stats.received());
    assertFalse(stats.complete());
    assertEquals(2.0, stats.p50Millis(), 1e-9);
    assertEquals(500.0, stats.p99Millis(), 1e-9);
  }

  @Test
  public void nothingReceivedGivesNoRate() {
    PhaseStats stats = PhaseStats.of(new long[] {0}, new long[] {0}, 1, 7 * MS);
    assertEquals(0.0, stats.eventsPerSec(), 0);
    assertEquals(7.0, stats.p99Millis(), 1e-9);
    assertEquals(0, PhaseStats.of(new long[0], new long[0], 0, 0).sent());
  }
}
