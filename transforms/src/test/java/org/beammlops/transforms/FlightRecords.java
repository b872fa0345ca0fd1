package org.beammlops.transforms;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.deadletter.RejectedRecordException;
import org.beammlops.transforms.parse.RecordParser;

/** Lake records of the flights use case for tests, built by the real parser. */
public final class FlightRecords {
  public static final UseCase FLIGHTS = UseCases.load("flights");
  public static final List<String> HEADER =
      List.of("date", "delay", "distance", "origin", "destination");
  public static final List<String> HEADER_WITH_ID =
      List.of("id", "date", "delay", "distance", "origin", "destination");

  private static final RecordParser PARSER = new RecordParser(FLIGHTS);

  private FlightRecords() {}

  /** A record parsed from a CSV line read against {@code header}; fails the test if rejected. */
  public static GenericRecord parse(
      List<String> header, String line, String source, long position) {
    try {
      return PARSER.fromCsv(header, line.getBytes(UTF_8), source, position);
    } catch (RejectedRecordException e) {
      throw new AssertionError("test record rejected: " + e.errorType() + " " + e.getMessage(), e);
    }
  }

  /** A record with an explicit id. */
  public static GenericRecord withId(
      String id, String date, long delay, String source, long position) {
    return parse(HEADER_WITH_ID, id + "," + date + "," + delay + ",500,LAX,SFO", source, position);
  }

  /** The coder of lake records. */
  public static AvroCoder<GenericRecord> coder() {
    return AvroCoder.of(GenericRecord.class, FLIGHTS.lakeSchema());
  }
}
