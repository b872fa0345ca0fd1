package org.beammlops.transforms.parse;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaRecordCoder;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.deadletter.ErrorType;
import org.beammlops.transforms.metrics.CounterSummary;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * Files with valid flights and one line of every malformed kind go through {@link
 * ParseAndValidate}: every line ends up either as a record or as a dead letter with its original
 * bytes, and the counters add up.
 */
@RunWith(JUnit4.class)
public class ParseAndValidateTest {
  private static final int HUGE_LINE_BYTES = 10 * 1024 * 1024;
  private static final byte[] NOT_UTF8_CSV = {
    '2',
    '0',
    '0',
    '1',
    '-',
    '0',
    '1',
    '-',
    '0',
    '1',
    ' ',
    '0',
    '6',
    ':',
    '0',
    '5',
    ',',
    '1',
    '2',
    ',',
    '5',
    '0',
    '0',
    ',',
    (byte) 0xC3,
    0x28,
    'X',
    ',',
    'S',
    'F',
    'O'
  };
  private static final byte[] NOT_UTF8_JSON = {
    '{', '"', 'o', 'r', 'i', 'g', 'i', 'n', '"', ':', '"', (byte) 0xC3, 0x28, '"', '}'
  };

  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  private UseCase flights;

  /** One line of a test file, with the dead-letter type it must produce (null: a record). */
  private record Line(byte[] bytes, ErrorType expected) {
    static Line valid(String text) {
      return new Line(text.getBytes(UTF_8), null);
    }

    static Line bad(String text, ErrorType expected) {
      return new Line(text.getBytes(UTF_8), expected);
    }
  }

  /** Where each line of the files landed: "file:position" for records, plus ":TYPE" for rejects. */
  private final List<String> expectedRecords = new ArrayList<>();

  private final List<String> expectedDeadLetters = new ArrayList<>();

  @Before
  public void setUp() {
    flights = UseCases.load("flights");
  }

  private static String csvFlight(int i) {
    return String.format(
        "2001-01-%02d %02d:%02d,%d,%d,%s,%s",
        1 + i % 28, i % 24, i % 60, i - 5, 100 + i * 37, i % 2 == 0 ? "LAX" : "ORD", "SFO");
  }

  private static String jsonFlight(int i) {
    return String.format(
        "{\"date\":%d,\"delay\":%s,\"distance\":%d,\"origin\":\"%s\",\"destination\":\"JFK\"}",
        978307200000L + i * 3_600_000L, i % 5 == 0 ? "null" : Integer.toString(i), 200 + i, "BOS");
  }

  private static byte[] hugeLine() {
    byte[] huge = new byte[HUGE_LINE_BYTES];
    Arrays.fill(huge, (byte) 'x');
    return huge;
  }

  private List<Line> csvLines() {
    List<Line> lines = new ArrayList<>();
    lines.add(Line.valid("date,delay,distance,origin,destination")); // header: neither
    for (int i = 0; i < 10; i++) {
      lines.add(Line.valid(csvFlight(i)));
    }
    lines.add(Line.bad("2001-01-02 06:05,12,5", ErrorType.WRONG_COLUMN_COUNT)); // truncated
    lines.add(Line.bad("2001-01-02 06:05,12", ErrorType.WRONG_COLUMN_COUNT));
    lines.add(Line.bad("2001-01-02 06:05,12,500,LAX,SFO,UA", ErrorType.WRONG_COLUMN_COUNT));
    lines.add(Line.bad("2001-01-02 06:05,12,12.5.3,LAX,SFO", ErrorType.MALFORMED_NUMBER));
    lines.add(Line.bad("2001-01-02 06:05,12abc,500,LAX,SFO", ErrorType.MALFORMED_NUMBER));
    lines.add(Line.bad("2001-01-02 06:05,12,12.5,LAX,SFO", ErrorType.NOT_INTEGER));
    lines.add(Line.bad("2001-01-02 06:05,12,,LAX,SFO", ErrorType.MISSING_FIELD));
    lines.add(Line.bad(",12,500,LAX,SFO", ErrorType.MISSING_FIELD));
    lines.add(Line.bad("2001-01-02 06:05,12,NaN,LAX,SFO", ErrorType.NOT_FINITE));
    lines.add(Line.bad("2001-01-02 06:05,Infinity,500,LAX,SFO", ErrorType.NOT_FINITE));
    lines.add(Line.bad("2001-01-02 06:05,-Infinity,500,LAX,SFO", ErrorType.NOT_FINITE));
    lines.add(Line.bad("2001-01-02 06:05,12,0,LAX,SFO", ErrorType.OUT_OF_RANGE));
    lines.add(Line.bad("2001-01-02 06:05,12,10001,LAX,SFO", ErrorType.OUT_OF_RANGE));
    lines.add(Line.bad("2001-01-02 06:05,3000,500,LAX,SFO", ErrorType.OUT_OF_RANGE));
    lines.add(Line.bad("1986-12-31 23:00,12,500,LAX,SFO", ErrorType.OUT_OF_RANGE));
    lines.add(Line.bad("2001-01-02 06:05,12,500,ab1,SFO", ErrorType.PATTERN_MISMATCH));
    lines.add(Line.bad("2001-01-02 06:05,12,500,LAX,ABCD", ErrorType.PATTERN_MISMATCH));
    lines.add(Line.bad("2001-02-30 10:00,12,500,LAX,SFO", ErrorType.MALFORMED_TIMESTAMP));
    lines.add(Line.bad("2001-13-01T00:00,12,500,LAX,SFO", ErrorType.MALFORMED_TIMESTAMP));
    lines.add(Line.bad("yesterday,12,500,LAX,SFO", ErrorType.MALFORMED_TIMESTAMP));
    lines.add(Line.bad("2001-01-01 25:00,12,500,LAX,SFO", ErrorType.MALFORMED_TIMESTAMP));
    lines.add(new Line(NOT_UTF8_CSV, ErrorType.NOT_UTF8));
    lines.add(new Line(hugeLine(), ErrorType.RECORD_TOO_LARGE));
    lines.add(new Line(new byte[0], null)); // a blank line: skipped, neither record nor reject
    lines.add(Line.bad("2001-01-02 06:05,12,500,\"LAX,SFO", ErrorType.MALFORMED_CSV));
    lines.add(Line.valid("2001-01-03 07:00,1,700,SEA,DEN")); // right after the unbalanced quote
    lines.add(Line.valid("\"2001-01-03 07:30\",\"-4\",\"710\",\"SEA\",\"DEN\""));
    for (int i = 10; i < 20; i++) {
      lines.add(Line.valid(csvFlight(i)));
    }
    return lines;
  }

  private List<Line> jsonLines() {
    List<Line> lines = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      lines.add(Line.valid(jsonFlight(i)));
    }
    String ok = "\"origin\":\"LAX\",\"destination\":\"SFO\"";
    lines.add(Line.bad("{\"date\":978307200000,\"delay\":12,\"dist", ErrorType.MALFORMED_JSON));
    lines.add(
        Line.bad("{\"date\":978307200000,\"distance\":NaN," + ok + "}", ErrorType.NOT_FINITE));
    lines.add(
        Line.bad(
            "{\"date\":978307200000,\"delay\":Infinity,\"distance\":5," + ok + "}",
            ErrorType.NOT_FINITE));
    lines.add(
        Line.bad(
            "{\"date\":978307200000,\"delay\":-Infinity,\"distance\":5," + ok + "}",
            ErrorType.NOT_FINITE));
    lines.add(
        Line.bad(
            "{\"date\":978307200000,\"distance\":\"12.5.3\"," + ok + "}",
            ErrorType.MALFORMED_NUMBER));
    lines.add(
        Line.bad(
            "{\"date\":978307200000,\"distance\":\"12abc\"," + ok + "}",
            ErrorType.MALFORMED_NUMBER));
    lines.add(
        Line.bad("{\"date\":978307200000,\"distance\":12.5," + ok + "}", ErrorType.NOT_INTEGER));
    lines.add(Line.bad("{\"date\":978307200000," + ok + "}", ErrorType.MISSING_FIELD));
    lines.add(
        Line.bad("{\"date\":978307200000,\"distance\":0," + ok + "}", ErrorType.OUT_OF_RANGE));
    lines.add(
        Line.bad("{\"date\":978307200000,\"distance\":10001," + ok + "}", ErrorType.OUT_OF_RANGE));
    lines.add(
        Line.bad(
            "{\"date\":978307200000,\"delay\":3000,\"distance\":5," + ok + "}",
            ErrorType.OUT_OF_RANGE));
    lines.add(
        Line.bad(
            "{\"date\":\"1986-01-01 00:00\",\"distance\":5," + ok + "}", ErrorType.OUT_OF_RANGE));
    lines.add(
        Line.bad(
            "{\"date\":978307200000,\"distance\":5,\"origin\":\"ab1\",\"destination\":\"SFO\"}",
            ErrorType.PATTERN_MISMATCH));
    lines.add(
        Line.bad(
            "{\"date\":978307200000,\"distance\":5,\"origin\":\"ABCD\",\"destination\":\"SFO\"}",
            ErrorType.PATTERN_MISMATCH));
    for (String date :
        List.of("2001-02-30 10:00", "2001-13-01T00:00", "yesterday", "2001-01-01 25:00")) {
      lines.add(
          Line.bad(
              "{\"date\":\"" + date + "\",\"distance\":5," + ok + "}",
              ErrorType.MALFORMED_TIMESTAMP));
    }
    lines.add(
        Line.bad(
            "{\"date\":978307200000,\"distance\":{\"miles\":5}," + ok + "}", ErrorType.WRONG_TYPE));
    lines.add(
        Line.bad("{\"date\":978307200000,\"distance\":[5]," + ok + "}", ErrorType.WRONG_TYPE));
    lines.add(
        Line.bad(
            "{\"date\":978307200000,\"distance\":5,\"origin\":123,\"destination\":\"SFO\"}",
            ErrorType.WRONG_TYPE));
    lines.add(new Line(NOT_UTF8_JSON, ErrorType.NOT_UTF8));
    lines.add(new Line(hugeLine(), ErrorType.RECORD_TOO_LARGE));
    lines.add(Line.bad("   ", ErrorType.EMPTY_RECORD));
    lines.add(
        Line.bad(
            "{\"date\":\"2001-01-01 06:05,\"distance\":5,\"origin\":\"LAX\"}",
            ErrorType.MALFORMED_JSON)); // an unbalanced quote
    lines.add(Line.valid(jsonFlight(10)));
    for (int i = 11; i < 20; i++) {
      lines.add(Line.valid(jsonFlight(i)));
    }
    return lines;
  }

  /** Writes the lines, records where each must land, and returns the file. */
  private File write(String name, List<Line> lines, String newline, boolean csvHeader, boolean gzip)
      throws IOException {
    File file = new File(tmp.getRoot(), name);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    long position = 0;
    for (Line line : lines) {
      position++;
      bytes.write(line.bytes());
      bytes.write(newline.getBytes(UTF_8));
      if (csvHeader && position == 1) {
        continue;
      }
      if (line.expected() != null) {
        expectedDeadLetters.add(name + ":" + position + ":" + line.expected());
      } else if (line.bytes().length > 0) {
        expectedRecords.add(name + ":" + position);
      }
    }
    try (OutputStream out =
        gzip
            ? new GZIPOutputStream(Files.newOutputStream(file.toPath()))
            : Files.newOutputStream(file.toPath())) {
      out.write(bytes.toByteArray());
    }
    return file;
  }

  private ParseResult parseFolder() {
    return p.apply(FileIO.match().filepattern(tmp.getRoot().getAbsolutePath() + "/*"))
        .apply(FileIO.readMatches())
        .apply(ParseAndValidate.files(flights, Format.auto, "ingest"));
  }

  @Test
  public void everyLineBecomesARecordOrADeadLetter() throws IOException {
    write("flights.csv", csvLines(), "\n", true, false);
    write("flights.jsonl", jsonLines(), "\r\n", false, false);
    List<Line> gz = new ArrayList<>();
    gz.add(Line.valid("origin,destination,distance,date,delay,carrier"));
    gz.add(Line.valid("ATL,MIA,594,2001-06-30 23:59,,DL"));
    gz.add(Line.valid("ATL,MIA,594,2001/06/30 23:59,-1,DL"));
    gz.add(Line.bad("ATL,MIA,594,2001/06/30 23:59,-1", ErrorType.WRONG_COLUMN_COUNT));
    write("more.csv.gz", gz, "\n", true, true);
    Files.createFile(tmp.getRoot().toPath().resolve("empty.csv"));
    expectedDeadLetters.add("empty.csv:0:" + ErrorType.EMPTY_FILE);
    // A file of blank lines only has no records either.
    Files.writeString(tmp.getRoot().toPath().resolve("blank.jsonl"), "\n\r\n\n");
    expectedDeadLetters.add("blank.jsonl:0:" + ErrorType.EMPTY_FILE);

    ParseResult result = parseFolder();
    PCollection<GenericRecord> records = result.records();
    PCollection<DeadLetter> deadLetters = result.deadLetters();

    PAssert.thatSingleton(records.apply("CountRecords", Count.globally()))
        .isEqualTo((long) expectedRecords.size());
    PAssert.thatSingleton(deadLetters.apply("CountDeadLetters", Count.globally()))
        .isEqualTo((long) expectedDeadLetters.size());

    PAssert.that(
            records.apply(
                "RecordPlaces",
                MapElements.into(TypeDescriptors.strings())
                    .via(
                        r ->
                            StableIds.baseName(r.get(UseCase.SOURCE_FIELD).toString())
                                + ":"
                                + r.get(UseCase.POSITION_FIELD))))
        .containsInAnyOrder(expectedRecords);
    PAssert.that(
            deadLetters.apply(
                "DeadLetterPlaces",
                MapElements.into(TypeDescriptors.strings())
                    .via(
                        d ->
                            StableIds.baseName(d.getSource())
                                + ":"
                                + d.getPosition()
                                + ":"
                                + d.getErrorType())))
        .containsInAnyOrder(expectedDeadLetters);

    // The line right after the unbalanced quote is parsed, with its values.
    PAssert.that(
            records.apply(
                "AfterUnbalancedQuote",
                Filter.by(
                    (GenericRecord r) ->
                        r.get(UseCase.SOURCE_FIELD).toString().endsWith("/flights.csv")
                            && "SEA".equals(r.get("origin").toString()))))
        .satisfies(
            found -> {
              List<Long> distances = new ArrayList<>();
              for (GenericRecord r : found) {
                distances.add((Long) r.get("distance"));
                assertEquals("DEN", r.get("destination").toString());
                assertTrue(r.get("id").toString().matches("[0-9a-f]{20}"));
              }
              distances.sort(null);
              assertEquals(List.of(700L, 710L), distances);
              return null;
            });

    // Dead letters are checked through a digest of their payload, so that the two 10 MB payloads
    // do not travel through PAssert's grouping.
    String hugeDigest = sha256(hugeLine());
    PAssert.that(
            deadLetters
                .apply(
                    "Summarize",
                    MapElements.into(TypeDescriptor.of(Summary.class)).via(Summary::of))
                .setCoder(SerializableCoder.of(Summary.class)))
        .satisfies(
            all -> {
              int notUtf8 = 0;
              int huge = 0;
              for (Summary d : all) {
                assertFalse(d.reason().isBlank());
                assertFalse(d.errorType().isBlank());
                ErrorType type = ErrorType.valueOf(d.errorType());
                assertEquals("flights", d.useCase());
                assertEquals("ingest", d.pipeline());
                assertTrue(d.source(), d.source().startsWith("/"));
                assertEquals(d.payloadSize(), d.payloadLength());
                if (type == ErrorType.EMPTY_FILE) {
                  assertEquals(0, d.payloadLength());
                  continue;
                }
                assertTrue(d.position() > 0);
                assertTrue(d.payloadLength() > 0);
                switch (type) {
                  case NOT_UTF8 -> {
                    notUtf8++;
                    byte[] expected = d.source().endsWith(".csv") ? NOT_UTF8_CSV : NOT_UTF8_JSON;
                    assertArrayEquals(expected, Base64.getDecoder().decode(d.payloadBase64()));
                  }
                  case RECORD_TOO_LARGE -> {
                    huge++;
                    assertEquals(HUGE_LINE_BYTES, d.payloadSize());
                    assertEquals("the whole line is kept", hugeDigest, d.payloadSha256());
                    assertTrue(d.reason().length() < 500);
                  }
                  case MALFORMED_NUMBER, NOT_INTEGER, NOT_FINITE, WRONG_TYPE, PATTERN_MISMATCH -> {
                    assertTrue(
                        d.reason(),
                        d.reason().matches(".*'(distance|delay|origin|destination)'.*"));
                  }
                  case MALFORMED_TIMESTAMP -> assertTrue(d.reason(), d.reason().contains("'date'"));
                  case MALFORMED_CSV ->
                      assertEquals(
                          "2001-01-02 06:05,12,500,\"LAX,SFO",
                          new String(Base64.getDecoder().decode(d.payloadBase64()), UTF_8));
                  default -> {}
                }
              }
              assertEquals(2, notUtf8);
              assertEquals(2, huge);
              return null;
            });

    PipelineResult run = p.run();
    run.waitUntilFinish();
    Map<String, Long> counters =
        CounterSummary.of(
            run, PipelineCounters.READ, PipelineCounters.VALID, PipelineCounters.DEAD_LETTER);
    long read = counters.get(PipelineCounters.READ);
    long valid = counters.get(PipelineCounters.VALID);
    long dead = counters.get(PipelineCounters.DEAD_LETTER);
    assertEquals(expectedRecords.size(), valid);
    assertEquals(expectedDeadLetters.size(), dead);
    assertEquals(read, valid + dead);
    assertEquals(2L, (long) counters.get("deadLetter." + ErrorType.NOT_UTF8));
    assertEquals(2L, (long) counters.get("deadLetter." + ErrorType.RECORD_TOO_LARGE));
    assertEquals(2L, (long) counters.get("deadLetter." + ErrorType.EMPTY_FILE));
  }

  @Test
  public void explicitFormatAndDerivedIdsAreStableAcrossRuns() throws IOException {
    // The same bytes at the same place get the same id whichever run reads them.
    Files.writeString(
        tmp.getRoot().toPath().resolve("data.txt"),
        "date,delay,distance,origin,destination\n2001-01-01 06:05,12,500,LAX,SFO\n");
    PCollection<String> ids =
        p.apply(FileIO.match().filepattern(tmp.getRoot().getAbsolutePath() + "/*"))
            .apply(FileIO.readMatches())
            .apply(ParseAndValidate.files(flights, Format.csv, "ingest"))
            .records()
            .apply(MapElements.into(TypeDescriptors.strings()).via(r -> r.get("id").toString()));
    String expectedId =
        StableIds.derive("data.txt", 2, "2001-01-01 06:05,12,500,LAX,SFO".getBytes(UTF_8));
    PAssert.that(ids).containsInAnyOrder(expectedId);
    p.run().waitUntilFinish();
  }

  /** A Parquet {@link OutputFile} on a local path, without Hadoop's file system. */
  private static final class LocalOutputFile implements OutputFile {
    private final java.nio.file.Path path;

    LocalOutputFile(java.nio.file.Path path) {
      this.path = path;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) throws IOException {
      OutputStream out = Files.newOutputStream(path);
      return new PositionOutputStream() {
        private long position;

        @Override
        public long getPos() {
          return position;
        }

        @Override
        public void write(int b) throws IOException {
          out.write(b);
          position++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
          position += len;
        }

        @Override
        public void flush() throws IOException {
          out.flush();
        }

        @Override
        public void close() throws IOException {
          out.close();
        }
      };
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
      return create(blockSizeHint);
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }
  }

  @Test
  public void parquetRowsWithTimestampMicros() throws IOException {
    // The real data's shape: event time in microseconds, no id column.
    Schema micros = LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
    Schema rowSchema =
        SchemaBuilder.record("schema")
            .fields()
            .name("date")
            .type(micros)
            .noDefault()
            .name("delay")
            .type()
            .optional()
            .longType()
            .name("distance")
            .type()
            .longType()
            .noDefault()
            .name("origin")
            .type()
            .stringType()
            .noDefault()
            .name("destination")
            .type()
            .stringType()
            .noDefault()
            .endRecord();
    long[] distances = {337, 1400, 0, 500};
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 0; i < distances.length; i++) {
      GenericRecord row = new GenericData.Record(rowSchema);
      row.put("date", 978307260000000L + i * 60_000_000L);
      row.put("delay", i == 1 ? null : (long) i);
      row.put("distance", distances[i]);
      row.put("origin", "LAX");
      row.put("destination", "SFO");
      rows.add(row);
    }
    java.nio.file.Path file = tmp.getRoot().toPath().resolve("flights.parquet");
    try (ParquetWriter<GenericRecord> writer =
        AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
            .withSchema(rowSchema)
            .build()) {
      for (GenericRecord row : rows) {
        writer.write(row);
      }
    }
    String badRowText = new String(RecordParser.rowBytes(rows.get(2)), UTF_8);

    ParseResult result = parseFolder();
    PAssert.that(
            result
                .records()
                .apply(
                    "Describe",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            r ->
                                r.get(UseCase.POSITION_FIELD)
                                    + ":"
                                    + r.get("date")
                                    + ":"
                                    + r.get("delay")
                                    + ":"
                                    + r.get("distance")
                                    + ":"
                                    + r.get("id").toString().length())))
        .containsInAnyOrder(
            "1:978307260000:0:337:20", "2:978307320000:null:1400:20", "4:978307440000:3:500:20");
    PAssert.that(result.deadLetters())
        .satisfies(
            all -> {
              List<String> seen = new ArrayList<>();
              for (DeadLetter d : all) {
                seen.add(d.getPosition() + ":" + d.getErrorType());
                assertTrue(d.getReason(), d.getReason().contains("'distance'"));
                assertEquals(badRowText, new String(bytes(d.getPayload()), UTF_8));
              }
              assertEquals(List.of("3:OUT_OF_RANGE"), seen);
              return null;
            });
    p.run().waitUntilFinish();
  }

  private static byte[] avro(UseCase useCase, String id, long delay) throws IOException {
    GenericRecord record = new GenericData.Record(useCase.schema());
    record.put("id", id);
    record.put("date", 978329100000L);
    record.put("delay", delay);
    record.put("distance", 500L);
    record.put("origin", "LAX");
    record.put("destination", "SFO");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(useCase.schema()).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static KafkaRecord<byte[], byte[]> message(
      long offset, byte[] value, String contentType) {
    RecordHeaders headers = new RecordHeaders();
    if (contentType != null) {
      headers.add(KafkaPayloads.CONTENT_TYPE, contentType.getBytes(UTF_8));
    }
    return new KafkaRecord<>(
        "flights.requests",
        0,
        offset,
        978329100000L,
        KafkaTimestampType.CREATE_TIME,
        headers,
        ("k" + offset).getBytes(UTF_8),
        value);
  }

  @Test
  public void kafkaMessagesInJsonAndAvro() throws IOException {
    byte[] json =
        "{\"date\":\"2001-01-01 06:05\",\"delay\":3,\"distance\":500,\"origin\":\"LAX\",\"destination\":\"SFO\"}"
            .getBytes(UTF_8);
    byte[] avro = avro(flights, "req-1", 12);
    List<KafkaRecord<byte[], byte[]>> messages =
        List.of(
            message(10, json, null), // the fallback format: JSON
            message(11, avro, KafkaPayloads.AVRO), // the header says Avro
            message(12, json, KafkaPayloads.JSON),
            message(13, "{\"date\":".getBytes(UTF_8), KafkaPayloads.JSON),
            message(14, null, null), // a tombstone
            message(15, Arrays.copyOf(avro, avro.length + 2), KafkaPayloads.AVRO));
    ParseResult result =
        p.apply(
                Create.of(messages)
                    .withCoder(
                        KafkaRecordCoder.of(
                            ByteArrayCoder.of(), NullableCoder.of(ByteArrayCoder.of()))))
            .apply(ParseAndValidate.messages(flights, InputFormat.JSON, "score"));
    String derived10 = StableIds.derive("flights.requests-0", 10, json);
    String derived12 = StableIds.derive("flights.requests-0", 12, json);
    PAssert.that(
            result
                .records()
                .apply(
                    "Describe",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            r ->
                                r.get("id")
                                    + ":"
                                    + r.get(UseCase.SOURCE_FIELD)
                                    + ":"
                                    + r.get(UseCase.POSITION_FIELD)
                                    + ":"
                                    + r.get("delay"))))
        .containsInAnyOrder(
            derived10 + ":flights.requests-0:10:3",
            "req-1:flights.requests-0:11:12",
            derived12 + ":flights.requests-0:12:3");
    PAssert.that(
            result
                .deadLetters()
                .apply(
                    "DeadLetterPlaces",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            d -> d.getPosition() + ":" + d.getErrorType() + ":" + d.getPipeline())))
        .containsInAnyOrder(
            "13:MALFORMED_JSON:score", "14:EMPTY_RECORD:score", "15:MALFORMED_AVRO:score");
    PipelineResult run = p.run();
    run.waitUntilFinish();
    Map<String, Long> counters =
        CounterSummary.of(
            run, PipelineCounters.READ, PipelineCounters.VALID, PipelineCounters.DEAD_LETTER);
    assertEquals(6L, (long) counters.get(PipelineCounters.READ));
    assertEquals(3L, (long) counters.get(PipelineCounters.VALID));
    assertEquals(3L, (long) counters.get(PipelineCounters.DEAD_LETTER));
  }

  /** A dead letter with a digest of its payload, and the payload itself when it is small. */
  private record Summary(
      String source,
      long position,
      String errorType,
      String reason,
      String useCase,
      String pipeline,
      long payloadSize,
      int payloadLength,
      String payloadSha256,
      String payloadBase64)
      implements Serializable {
    static Summary of(DeadLetter d) {
      byte[] payload = bytes(d.getPayload());
      return new Summary(
          d.getSource(),
          d.getPosition(),
          d.getErrorType(),
          d.getReason(),
          d.getUseCase(),
          d.getPipeline(),
          d.getPayloadSize(),
          payload.length,
          sha256(payload),
          payload.length <= 4096 ? Base64.getEncoder().encodeToString(payload) : null);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }
}
