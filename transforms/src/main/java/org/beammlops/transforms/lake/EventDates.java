package org.beammlops.transforms.lake;

import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.beammlops.schemas.usecase.UseCase;

/** The event-date partition of a use-case record: the date part of its event time. */
public final class EventDates implements SerializableFunction<GenericRecord, String> {
  private final String eventTimeField;

  private EventDates(String eventTimeField) {
    this.eventTimeField = eventTimeField;
  }

  public static EventDates of(UseCase useCase) {
    return new EventDates(useCase.eventTimeField().name());
  }

  @Override
  public String apply(GenericRecord record) {
    Object value = record.get(eventTimeField);
    long millis = value instanceof Instant instant ? instant.toEpochMilli() : (Long) value;
    return Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC).toLocalDate().toString();
  }
}
