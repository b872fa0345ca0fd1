package org.beammlops.transforms.lake;

import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.beammlops.schemas.usecase.UseCase;

/**
 * The lake partition of a use-case record: the day ({@code 2001-01-31}) or month ({@code 2001-01})
 * of its event time, or {@value #ALL} for a use case partitioned as one. Partition names sort as
 * their dates, so date ranges prune them as text.
 */
public final class EventDates implements SerializableFunction<GenericRecord, String> {
  /** The one partition of a use case with {@code partitioning: none}. */
  public static final String ALL = "all";

  private final String eventTimeField;
  private final UseCase.Partitioning partitioning;

  private EventDates(String eventTimeField, UseCase.Partitioning partitioning) {
    this.eventTimeField = eventTimeField;
    this.partitioning = partitioning;
  }

  /** The partitions of the use case's lake. */
  public static EventDates of(UseCase useCase) {
    return of(useCase, useCase.partitioning());
  }

  /** Partitions of the given granularity; {@code none} for a use case without an event time. */
  public static EventDates of(UseCase useCase, UseCase.Partitioning partitioning) {
    String field = useCase.eventTime().map(f -> f.name()).orElse(null);
    return new EventDates(field, field == null ? UseCase.Partitioning.NONE : partitioning);
  }

  /** The event day of a record, whatever the partitioning; null without an event time. */
  public String day(GenericRecord record) {
    if (eventTimeField == null) {
      return null;
    }
    Object value = record.get(eventTimeField);
    if (value == null) {
      return null;
    }
    long millis = value instanceof Instant instant ? instant.toEpochMilli() : (Long) value;
    return Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC).toLocalDate().toString();
  }

  @Override
  public String apply(GenericRecord record) {
    if (partitioning == UseCase.Partitioning.NONE) {
      return ALL;
    }
    String day = day(record);
    if (day == null) {
      return ALL;
    }
    return partitioning == UseCase.Partitioning.MONTH ? day.substring(0, 7) : day;
  }
}
