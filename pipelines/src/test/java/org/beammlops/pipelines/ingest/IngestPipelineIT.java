package org.beammlops.pipelines.ingest;

import static org.beammlops.pipelines.testing.FlightsTestData.utf8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.beammlops.pipelines.testing.FlightsTestData;
import org.beammlops.pipelines.testing.FlightsTestData.Flight;
import org.beammlops.pipelines.testing.LakeFiles;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * Ingest end to end on real files, on DirectRunner and on FlinkRunner: the flights sample as CSV
 * and as JSON lines with every kind of malformed line mixed in, then the same ingest again.
 */
@RunWith(Parameterized.class)
public class IngestPipelineIT {
  private static final int VALID_PER_FILE = 150;

  @Parameterized.Parameters(name = "{0}")
  public static Collection<Object[]> runners() {
    return List.of(
        new Object[] {"DirectRunner", new String[] {"--runner=DirectRunner"}},
        new Object[] {
          "FlinkRunner",
          new String[] {"--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2"}
        });
  }

  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private final String[] runnerArgs;

  public IngestPipelineIT(String name, String[] runnerArgs) {
    this.runnerArgs = runnerArgs;
  }

  /** The malformed CSV lines: each must become one dead letter, and not swallow the next line. */
  private static List<byte[]> badCsvLines() {
    List<byte[]> lines = new ArrayList<>();
    lines.add(utf8("2001-01-01T06:00,12,4")); // truncated
    lines.add(utf8("2001-01-01T06:00,12,500,LAX")); // too few columns
    lines.add(utf8("2001-01-01T06:00,12,500,LAX,SFO,extra")); // too many columns
    lines.add(utf8("2001-01-01T06:00,12,12.5.3,LAX,SFO")); // malformed number
    lines.add(utf8("2001-01-01T06:00,12abc,500,LAX,SFO")); // malformed number
    lines.add(utf8("2001-01-01T06:00,12,,LAX,SFO")); // empty required field
    lines.add(utf8("2001-01-01T06:00,NaN,500,LAX,SFO")); // NaN
    lines.add(utf8("2001-01-01T06:00,12,Infinity,LAX,SFO")); // infinity
    lines.add(utf8("2001-01-01T06:00,12,20000,LAX,SFO")); // out of range
    lines.add(utf8("2001-01-01T06:00,12,500,lax,SFO")); // not an airport code
    lines.add(utf8("2001-02-30T06:00,12,500,LAX,SFO")); // impossible date
    lines.add(utf8("01/02/2001 6am,12,500,LAX,SFO")); // wrongly formatted timestamp
    lines.add(utf8("\"2001-01-01T06:00,12,500,LAX,SFO")); // unbalanced quote
    lines.add(
        new byte[] {'2', '0', '0', '1', ',', (byte) 0xC3, (byte) 0x28, ',', '1'}); // not UTF-8
    lines.add(utf8("x".repeat(10 * 1024 * 1024))); // a 10 MB line
    return lines;
  }

  private static List<byte[]> badJsonLines() {
    List<byte[]> lines = new ArrayList<>();
    lines.add(utf8("{\"date\":\"2001-01-01T06:00\",\"delay\":12,\"dist")); // truncated
    lines.add(
        utf8(
            "{\"date\":\"2001-01-01T06:00\",\"delay\":12,\"distance\":\"12abc\",\"origin\":\"LAX\",\"destination\":\"SFO\"}"));
    lines.add(
        utf8(
            "{\"date\":\"2001-01-01T06:00\",\"delay\":12,\"distance\":NaN,\"origin\":\"LAX\",\"destination\":\"SFO\"}"));
    lines.add(
        utf8(
            "{\"date\":\"2001-01-01T06:00\",\"delay\":12,\"distance\":500,\"destination\":\"SFO\"}"));
    lines.add(
        utf8(
            "{\"date\":\"2001-13-01T06:00\",\"delay\":12,\"distance\":500,\"origin\":\"LAX\",\"destination\":\"SFO\"}"));
    lines.add(
        utf8(
            "{\"date\":\"2001-01-01T06:00\",\"delay\":9999,\"distance\":500,\"origin\":\"LAX\",\"destination\":\"SFO\"}"));
    lines.add(utf8("[1,2,3]"));
    return lines;
  }

  @Test
  public void ingestsValidRowsKeepsEveryRejectAndIsIdempotent() throws Exception {
    List<Flight> flights = FlightsTestData.firstRows(2 * VALID_PER_FILE);
    Path input = temp.newFolder("input").toPath();

    List<byte[]> csv = new ArrayList<>();
    csv.add(utf8(FlightsTestData.CSV_HEADER));
    List<byte[]> badCsv = badCsvLines();
    for (int i = 0; i < VALID_PER_FILE; i++) {
      csv.add(utf8(flights.get(i).csv()));
      if (i < badCsv.size()) {
        csv.add(badCsv.get(i)); // each bad line is followed by a valid one
      }
    }
    FlightsTestData.writeLines(input.resolve("flights.csv"), csv);

    List<byte[]> json = new ArrayList<>();
    List<byte[]> badJson = badJsonLines();
    for (int i = VALID_PER_FILE; i < 2 * VALID_PER_FILE; i++) {
      json.add(utf8(flights.get(i).json()));
      if (i - VALID_PER_FILE < badJson.size()) {
        json.add(badJson.get(i - VALID_PER_FILE));
      }
    }
    // the same explicit id twice: the later line wins
    json.add(
        utf8(
            "{\"id\":\"dup-1\",\"date\":\"2001-03-01T10:00\",\"delay\":1,\"distance\":300,\"origin\":\"LAX\",\"destination\":\"SFO\"}"));
    json.add(
        utf8(
            "{\"id\":\"dup-1\",\"date\":\"2001-03-01T10:00\",\"delay\":99,\"distance\":300,\"origin\":\"LAX\",\"destination\":\"SFO\"}"));
    FlightsTestData.writeLines(input.resolve("flights.jsonl"), json);
    Files.createFile(input.resolve("empty.csv"));

    Path lake = temp.getRoot().toPath().resolve("lake");
    Map<String, Object> first = ingest(input + "/*", lake);

    long bad = badCsv.size() + badJson.size() + 1; // + the empty file
    long valid = 2L * VALID_PER_FILE + 2;
    assertEquals(first.toString(), valid + bad, count(first, "read"));
    assertEquals(first.toString(), valid, count(first, "valid"));
    assertEquals(first.toString(), bad, count(first, "deadLetter"));
    assertEquals(first.toString(), 1, count(first, "duplicates"));
    assertEquals(first.toString(), valid - 1, count(first, "written"));

    List<GenericRecord> rows = LakeFiles.readAll(lake.resolve("flights/events"));
    assertEquals(valid - 1, rows.size());
    Set<String> ids = rows.stream().map(r -> r.get("id").toString()).collect(Collectors.toSet());
    assertEquals("no duplicate id in the lake", rows.size(), ids.size());
    GenericRecord dup =
        rows.stream().filter(r -> r.get("id").toString().equals("dup-1")).findFirst().orElseThrow();
    assertEquals("the last duplicate wins", 99L, dup.get("delay"));
    assertTrue(Files.isDirectory(lake.resolve("flights/events/date=2001-01-01")));

    List<GenericRecord> deadLetters = LakeFiles.readAll(lake.resolve("flights/deadletter"));
    assertEquals(bad, deadLetters.size());
    Set<String> types = new HashSet<>();
    for (GenericRecord d : deadLetters) {
      assertFalse("every dead letter has a reason", d.get("reason").toString().isBlank());
      types.add(d.get("errorType").toString());
    }
    assertThat(
        types,
        hasItems(
            "WRONG_COLUMN_COUNT",
            "MALFORMED_NUMBER",
            "MISSING_FIELD",
            "NOT_FINITE",
            "OUT_OF_RANGE",
            "PATTERN_MISMATCH",
            "MALFORMED_TIMESTAMP",
            "MALFORMED_CSV",
            "NOT_UTF8",
            "RECORD_TOO_LARGE",
            "EMPTY_FILE",
            "MALFORMED_JSON"));
    GenericRecord notUtf8 =
        deadLetters.stream()
            .filter(d -> d.get("errorType").toString().equals("NOT_UTF8"))
            .findFirst()
            .orElseThrow();
    assertArrayEquals("original bytes kept", badCsv.get(13), bytes(notUtf8.get("payload")));
    GenericRecord huge =
        deadLetters.stream()
            .filter(d -> d.get("errorType").toString().equals("RECORD_TOO_LARGE"))
            .findFirst()
            .orElseThrow();
    assertEquals(10L * 1024 * 1024, huge.get("payloadSize"));

    Map<String, Object> second = ingest(input + "/*", lake);
    assertEquals(second.toString(), 0, count(second, "written"));
    assertEquals(second.toString(), valid, count(second, "duplicates"));
    List<GenericRecord> after = LakeFiles.readAll(lake.resolve("flights/events"));
    assertEquals("a second run leaves the lake unchanged", rows.size(), after.size());
    assertEquals(ids, after.stream().map(r -> r.get("id").toString()).collect(Collectors.toSet()));
  }

  /** Groups larger than a runner keeps in memory (Flink iterates a group only once). */
  @Test
  public void deduplicatesLargeGroupsInOnePass() throws Exception {
    List<Flight> flights = FlightsTestData.firstRows(12_000);
    List<byte[]> lines = new ArrayList<>();
    lines.add(utf8(FlightsTestData.CSV_HEADER));
    flights.forEach(f -> lines.add(utf8(f.csv())));
    Path input = FlightsTestData.writeLines(temp.newFile("big.csv").toPath(), lines);
    Path lake = temp.getRoot().toPath().resolve("big-lake");
    Map<String, Object> first =
        IngestPipeline.run(options("--input=" + input, "--lake=" + lake, "--dedupBuckets=1"));
    assertEquals(first.toString(), 12_000L, count(first, "written"));
    Map<String, Object> second =
        IngestPipeline.run(options("--input=" + input, "--lake=" + lake, "--dedupBuckets=1"));
    assertEquals(second.toString(), 12_000L, count(second, "duplicates"));
    assertEquals(second.toString(), 0L, count(second, "written"));
  }

  @Test
  public void failsClearlyOnAnInputThatMatchesNothing() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ingest(temp.getRoot() + "/nothing-here-*.csv", temp.getRoot().toPath()));
    assertThat(e.getMessage(), containsString("No file matches"));
  }

  @Test
  public void aFileOfNothingButDeadLettersFailsWithItsMostFrequentReasonAndAHint()
      throws Exception {
    // columns named as a spreadsheet export names them, none of them the schema's
    Path input = temp.newFile("renamed.csv").toPath();
    java.nio.file.Files.writeString(
        input,
        "Departure,Delay (min),Miles,From,To\n"
            + "2001-01-01 06:05,5,500,LAX,SFO\n"
            + "2001-01-01 07:05,6,600,LAX,SFO\n");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> ingest(input.toString(), temp.newFolder("lake-renamed").toPath()));
    assertThat(e.getMessage(), containsString("no record of " + input + " was valid"));
    assertThat(e.getMessage(), containsString("2 dead letters, 2 of them MISSING_FIELD"));
    assertThat(e.getMessage(), containsString("field 'date'"));
    assertThat(e.getMessage(), containsString("Hint: the file's column names"));
  }

  @Test
  public void failsClearlyOnAnUnknownUseCase() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                IngestPipeline.run(
                    options("--useCase=trains", "--input=" + FlightsTestData.SAMPLE)));
    assertThat(e.getMessage(), containsString("Unknown use case 'trains'"));
    assertThat(e.getMessage(), containsString("flights"));
  }

  @Test
  public void failsClearlyOnALakeThatCannotBeWritten() throws Exception {
    Path file = temp.newFile("not-a-directory").toPath();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ingest(FlightsTestData.SAMPLE.toString(), file.resolve("lake")));
    assertThat(e.getMessage(), containsString("Cannot write to the lake"));
  }

  private Map<String, Object> ingest(String input, Path lake) {
    return IngestPipeline.run(options("--input=" + input, "--lake=" + lake));
  }

  private IngestOptions options(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(runnerArgs));
    all.addAll(Arrays.asList(args));
    return PipelineOptionsFactory.fromArgs(all.toArray(String[]::new)).as(IngestOptions.class);
  }

  private static long count(Map<String, Object> counters, String name) {
    return ((Number) counters.get(name)).longValue();
  }

  private static byte[] bytes(Object value) {
    ByteBuffer buffer = ((ByteBuffer) value).duplicate();
    byte[] out = new byte[buffer.remaining()];
    buffer.get(out);
    return out;
  }
}
