package org.beammlops.pipelines.common;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Map;
import org.junit.Test;

public class IdleStopTest {

  @Test
  public void waitsForInputBeforeCountingIdleTime() {
    IdleStop stop = new IdleStop(1_000);
    assertFalse(stop.idle(Map.of("read", 0L), 0));
    assertFalse("nothing read yet: never idle", stop.idle(Map.of("read", 0L), 60_000));
  }

  @Test
  public void stopsOnlyAfterTheCountersStayTheSameForTheIdleTime() {
    IdleStop stop = new IdleStop(1_000);
    assertFalse(stop.idle(Map.of("read", 0L), 0));
    assertFalse(stop.idle(Map.of("read", 5L), 100));
    assertFalse(stop.idle(Map.of("read", 5L), 1_099));
    assertFalse("a change restarts the clock", stop.idle(Map.of("read", 6L), 1_050));
    assertFalse(stop.idle(Map.of("read", 6L), 2_049));
    assertTrue(stop.idle(Map.of("read", 6L), 2_050));
  }

  @Test
  public void aNewCounterIsAChange() {
    IdleStop stop = new IdleStop(1_000);
    assertFalse(stop.idle(Map.of("read", 5L), 0));
    assertFalse(stop.idle(Map.of("read", 5L, "deadLetter", 1L), 900));
    assertFalse(stop.idle(Map.of("read", 5L, "deadLetter", 1L), 1_800));
    assertTrue(stop.idle(Map.of("read", 5L, "deadLetter", 1L), 1_900));
  }

  @Test
  public void refusesANonPositiveIdleTime() {
    assertThrows(IllegalArgumentException.class, () -> new IdleStop(0));
  }
}
