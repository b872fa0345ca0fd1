package org.beammlops.pipelines.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * Rows of the committed flights sample, and the same rows as CSV or JSON lines, so pipeline tests
 * run on real data in the formats users bring.
 */
public final class FlightsTestData {
  /** The committed sample, relative to a module directory (Maven's working directory in tests). */
  public static final Path SAMPLE = Path.of("../data/flights-sample.parquet");

  public static final String CSV_HEADER = "date,delay,distance,origin,destination";

  private FlightsTestData() {}

  /** One flight as read from the sample: date as ISO local date-time, the rest as they are. */
  public record Flight(String date, long delay, long distance, String origin, String destination) {
    public String csv() {
      return String.join(
          ",", date, Long.toString(delay), Long.toString(distance), origin, destination);
    }

    public String json() {
      return String.format(
          "{\"date\":\"%s\",\"delay\":%d,\"distance\":%d,\"origin\":\"%s\",\"destination\":\"%s\"}",
          date, delay, distance, origin, destination);
    }
  }

  /** The first {@code n} rows of the sample. */
  public static List<Flight> firstRows(int n) throws IOException {
    List<Flight> flights = new ArrayList<>();
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(
                HadoopInputFile.fromPath(
                    new org.apache.hadoop.fs.Path(SAMPLE.toAbsolutePath().toString()),
                    new Configuration()))
            .build()) {
      GenericRecord row;
      while (flights.size() < n && (row = reader.read()) != null) {
        long micros = (Long) row.get("date");
        String date =
            LocalDateTime.ofInstant(Instant.ofEpochMilli(micros / 1000), ZoneOffset.UTC).toString();
        flights.add(
            new Flight(
                date,
                (Long) row.get("delay"),
                (Long) row.get("distance"),
                row.get("origin").toString(),
                row.get("destination").toString()));
      }
    }
    return flights;
  }

  /** Writes lines (already encoded) to a file, each followed by a newline. */
  public static Path writeLines(Path file, List<byte[]> lines) throws IOException {
    try (var out = Files.newOutputStream(file)) {
      for (byte[] line : lines) {
        out.write(line);
        out.write('\n');
      }
    }
    return file;
  }

  public static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
