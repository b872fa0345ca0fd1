package org.beammlops.transforms.parse;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.files.MatchInputFiles;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * Files that are not one record per line: JSON arrays (whole, truncated, holding a non-object),
 * objects written over several lines, a gzip file named {@code .csv}, a compression that cannot be
 * read, and an input folder with symbolic link loops. Each record lands once, as a record or as a
 * dead letter; a file that cannot be read at all is one dead letter, not one per line.
 */
@RunWith(JUnit4.class)
public class FileShapesTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  private UseCase flights;

  @Before
  public void setUp() {
    flights = UseCases.load("flights");
  }

  private static String flight(int delay) {
    return "{\"date\":\"2001-01-01T06:05\",\"delay\":"
        + delay
        + ",\"distance\":500,\"origin\":\"LAX\",\"destination\":\"SFO\"}";
  }

  private void write(String name, byte[] bytes) throws IOException {
    Path file = tmp.getRoot().toPath().resolve(name);
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
  }

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(text.getBytes(UTF_8));
    }
    return bytes.toByteArray();
  }

  @Test
  public void everyShapeOfFileGivesOneOutcomePerRecord() throws IOException {
    // a JSON array of objects, pretty-printed, with a byte order mark
    write(
        "array.json",
        ("\uFEFF[\n  " + flight(1) + ",\n  " + flight(2) + ",\n  " + flight(3) + "\n]\n")
            .getBytes(UTF_8));
    // cut short inside its third object: two records, then one dead letter for the rest
    String truncated = "[" + flight(1) + "," + flight(2) + "," + flight(3);
    write("truncated.json", truncated.substring(0, truncated.length() - 20).getBytes(UTF_8));
    // an element that is not an object, between two that are
    write("mixed.json", ("[" + flight(1) + ", 42, " + flight(2) + "]").getBytes(UTF_8));
    // one object over several lines, not an array
    write("single.json", flight(7).replace(",", ",\n  ").replace("{", "{\n  ").getBytes(UTF_8));
    // gzip content under a plain .csv name
    write(
        "hidden.csv",
        gzip(
            "date,delay,distance,origin,destination\n"
                + "2001-01-01 06:05,5,500,LAX,SFO\n"
                + "2001-01-01 06:05,6,500,LAX,SFO\n"));
    // zstd magic bytes: rejected once, with the reason
    write("packed.csv", new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 1, 2, 3, 4, 5});
    // JSON lines still read line by line
    write("lines.jsonl", (flight(1) + "\n" + flight(2) + "\n").getBytes(UTF_8));
    // two symbolic link loops in a sub-folder: skipped, the files beside them are read
    Path sub = Files.createDirectories(tmp.getRoot().toPath().resolve("sub"));
    Files.createSymbolicLink(sub.resolve("loop"), sub);
    Files.createSymbolicLink(sub.resolve("up"), tmp.getRoot().toPath());
    write("sub/deep.jsonl", (flight(9) + "\n").getBytes(UTF_8));

    ParseResult result =
        p.apply(MatchInputFiles.of(tmp.getRoot().getAbsolutePath() + "/**"))
            .apply(FileIO.readMatches())
            .apply(ParseAndValidate.files(flights, Format.auto, "ingest"));

    PAssert.that(
            result
                .records()
                .apply(
                    "RecordPlaces",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            r ->
                                name(r.get(UseCase.SOURCE_FIELD).toString())
                                    + ":"
                                    + r.get(UseCase.POSITION_FIELD)
                                    + ":"
                                    + r.get("delay"))))
        .containsInAnyOrder(
            "array.json:1:1",
            "array.json:2:2",
            "array.json:3:3",
            "truncated.json:1:1",
            "truncated.json:2:2",
            "mixed.json:1:1",
            "mixed.json:3:2",
            "single.json:1:7",
            "hidden.csv:2:5",
            "hidden.csv:3:6",
            "lines.jsonl:1:1",
            "lines.jsonl:2:2",
            "deep.jsonl:1:9");
    PAssert.that(
            result
                .deadLetters()
                .apply(
                    "DeadLetterPlaces",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            d ->
                                name(d.getSource().toString())
                                    + ":"
                                    + d.getPosition()
                                    + ":"
                                    + d.getErrorType()
                                    + ":"
                                    + (d.getReason().toString().contains("breaks at element 3")
                                        || d.getReason().toString().contains("is the value 42")
                                        || d.getReason().toString().contains("zstd")))))
        .containsInAnyOrder(
            "truncated.json:3:MALFORMED_JSON:true",
            "mixed.json:2:MALFORMED_JSON:true",
            "packed.csv:0:UNREADABLE_SOURCE:true");
    p.run().waitUntilFinish();
  }

  private static String name(String source) {
    return source.substring(source.lastIndexOf('/') + 1);
  }
}
