package org.beammlops.schemas.usecase;

import java.io.Serializable;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * A feature computed from another field by a named function, declared in the use-case config so
 * that training and serving compute it the same way.
 */
public final class DerivedFeature implements Serializable {

  /** The functions a use case may name. */
  public enum Function {
    HOUR_OF_DAY,
    DAY_OF_WEEK,
    MONTH;

    /** Applies the function to a timestamp in epoch milliseconds, read in the given zone. */
    public int apply(long epochMillis, ZoneId zone) {
      ZonedDateTime time = Instant.ofEpochMilli(epochMillis).atZone(zone);
      switch (this) {
        case HOUR_OF_DAY:
          return time.getHour();
        case DAY_OF_WEEK:
          return time.getDayOfWeek().getValue();
        case MONTH:
          return time.getMonthValue();
        default:
          throw new AssertionError(this);
      }
    }
  }

  private final String name;
  private final String from;
  private final Function function;

  public DerivedFeature(String name, String from, Function function) {
    this.name = name;
    this.from = from;
    this.function = function;
  }

  public String name() {
    return name;
  }

  public String from() {
    return from;
  }

  public Function function() {
    return function;
  }
}
