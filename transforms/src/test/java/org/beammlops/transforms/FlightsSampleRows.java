package org.beammlops.transforms;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.function.Consumer;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.transforms.deadletter.RejectedRecordException;
import org.beammlops.transforms.lake.ParquetFiles;
import org.beammlops.transforms.parse.RecordParser;

/**
 * Every row of the committed flights sample (100,000 flights, January to June 2001) parsed by the
 * real parser as the use case's records; the few rows the use case rejects (delays beyond its
 * bounds) are skipped.
 */
public final class FlightsSampleRows {
  public static final String FILE = "../data/flights-sample.parquet";

  private FlightsSampleRows() {}

  public static void forEach(Consumer<GenericRecord> action) {
    RecordParser parser = new RecordParser(FlightRecords.FLIGHTS);
    long[] position = {0};
    ParquetFiles.forEachRecord(
        FILE,
        row -> {
          try {
            action.accept(parser.fromRow(row, FILE, ++position[0]));
          } catch (RejectedRecordException e) {
            // rejected by the use case: not a row of the sample's records
          }
        });
  }

  /** A record's scheduled departure, in UTC (the sample's local time, read as UTC). */
  public static ZonedDateTime departure(GenericRecord r) {
    Object date = r.get("date");
    long millis = date instanceof Instant i ? i.toEpochMilli() : (Long) date;
    return Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC);
  }
}
