package org.beammlops.transforms.deadletter;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.transforms.lake.Lake;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class DeadLettersTest {
  @Rule public final transient TestPipeline writePipeline = TestPipeline.create();
  @Rule public final transient TestPipeline readPipeline = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  private static final byte[] NOT_UTF8 = {'a', (byte) 0xC3, 0x28, 'b'};

  private static DeadLetter notUtf8() {
    return DeadLetters.from("flights", "ingest", "validate")
        .reject(
            "/in/f.csv",
            7,
            NOT_UTF8,
            NOT_UTF8.length,
            new RejectedRecordException(ErrorType.NOT_UTF8, "bytes are not valid UTF-8"));
  }

  private static DeadLetter outOfRange() {
    byte[] line = "2001-01-01 06:05,12,0,LAX,SFO".getBytes(UTF_8);
    return DeadLetters.from("flights", "ingest", "validate")
        .reject(
            "/in/f.csv",
            8,
            line,
            line.length,
            ErrorType.OUT_OF_RANGE,
            "field 'distance': value '0' is below the minimum 1");
  }

  @Test
  public void deadLetterCarriesEverything() {
    DeadLetter d = outOfRange();
    assertEquals("flights", d.getUseCase());
    assertEquals("ingest", d.getPipeline());
    assertEquals("validate", d.getStep());
    assertEquals("/in/f.csv", d.getSource());
    assertEquals(8L, (long) d.getPosition());
    assertEquals("OUT_OF_RANGE", d.getErrorType());
    assertTrue(d.getReason().contains("'distance'"));
    assertEquals(
        "2001-01-01 06:05,12,0,LAX,SFO", UTF_8.decode(d.getPayload().duplicate()).toString());
    assertTrue(d.getFailedAt() != null);
  }

  @Test
  public void jsonFormKeepsBytesInBase64() throws IOException {
    ObjectMapper json = new ObjectMapper();
    JsonNode bad = json.readTree(DeadLetterJson.encode(notUtf8()));
    assertEquals("NOT_UTF8", bad.get("errorType").asText());
    assertEquals(7, bad.get("position").asLong());
    assertEquals(4, bad.get("payloadSize").asLong());
    assertArrayEquals(NOT_UTF8, Base64.getDecoder().decode(bad.get("payloadBase64").asText()));
    assertTrue(bad.get("payloadText").isNull());
    JsonNode text = json.readTree(DeadLetterJson.encode(outOfRange()));
    assertEquals("2001-01-01 06:05,12,0,LAX,SFO", text.get("payloadText").asText());
    assertEquals("OUT_OF_RANGE", text.get("errorType").asText());
  }

  @Test
  public void writeToLakeAndReadBack() throws IOException {
    Lake lake = Lake.at(tmp.getRoot().getAbsolutePath(), "flights");
    String before = LocalDate.now(ZoneOffset.UTC).toString();
    writePipeline
        .apply(
            "DeadLetters",
            Create.of(List.of(notUtf8(), outOfRange())).withCoder(AvroCoder.of(DeadLetter.class)))
        .apply("Write", WriteDeadLetters.toLake(lake, "run1"));
    writePipeline.run().waitUntilFinish();
    String after = LocalDate.now(ZoneOffset.UTC).toString();

    List<String> partitions = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(Path.of(lake.deadLetterDir()))) {
      dirs.forEach(d -> partitions.add(d.getFileName().toString()));
    }
    assertEquals(1, partitions.size());
    String partition = partitions.get(0);
    assertTrue(partition, partition.equals("date=" + before) || partition.equals("date=" + after));

    PAssert.that(
            readPipeline
                .apply(
                    ParquetIO.read(DeadLetter.getClassSchema())
                        .withAvroDataModel(GenericData.get())
                        .from(lake.deadLetterDir() + "/date=*/*.parquet"))
                .apply(
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            (GenericRecord r) ->
                                r.get("errorType")
                                    + ":"
                                    + r.get("position")
                                    + ":"
                                    + Base64.getEncoder()
                                        .encodeToString(bytes((ByteBuffer) r.get("payload"))))))
        .containsInAnyOrder(
            "NOT_UTF8:7:" + Base64.getEncoder().encodeToString(NOT_UTF8),
            "OUT_OF_RANGE:8:"
                + Base64.getEncoder()
                    .encodeToString("2001-01-01 06:05,12,0,LAX,SFO".getBytes(UTF_8)));
    readPipeline.run().waitUntilFinish();
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }
}
