package org.beammlops.transforms.lake;

import java.time.LocalDate;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.transforms.Filter;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.metrics.PipelineCounters;

/**
 * A range of event dates, both ends inclusive and either open: what {@code --from}/{@code --to}
 * mean to the pipelines that read a range (training, drift).
 */
public final class EventDateRange {
  /** Records out of the range: counted, not dead letters. */
  public static final String OUT_OF_RANGE = "outOfRange";

  private EventDateRange() {}

  /** A date option's value: YYYY-MM-DD, or null for an open end; anything else is an error. */
  public static LocalDate date(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return LocalDate.parse(value.trim());
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("'" + value + "' is not a date (YYYY-MM-DD)");
    }
  }

  /**
   * Keeps the records whose event date is from {@code from} to {@code to}: files are not always
   * laid out by date as the lake is (and a month partition holds a month), so the range is applied
   * record by record. A record out of range is counted as {@value #OUT_OF_RANGE}.
   */
  public static Filter<GenericRecord> keep(UseCase useCase, LocalDate fromDate, LocalDate toDate) {
    EventDates dateOf = EventDates.of(useCase, UseCase.Partitioning.DAY);
    // ISO dates compare as strings; the open ends are below and above every date.
    String from = fromDate == null ? "" : fromDate.toString();
    String to = toDate == null ? "~" : toDate.toString();
    boolean open = fromDate == null && toDate == null;
    return Filter.by(
        record -> {
          String date = dateOf.day(record);
          boolean inRange =
              date == null ? open : date.compareTo(from) >= 0 && date.compareTo(to) <= 0;
          if (!inRange) {
            PipelineCounters.counter(OUT_OF_RANGE).inc();
          }
          return inRange;
        });
  }
}
