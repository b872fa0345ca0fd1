package org.beammlops.transforms.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InputFormatTest {

  @ParameterizedTest
  @CsvSource({
    "flights.csv, CSV",
    "FLIGHTS.CSV, CSV",
    "flights.csv.gz, CSV",
    "flights.csv.bz2, CSV",
    "flights.json, JSON",
    "flights.jsonl, JSON",
    "flights.ndjson, JSON",
    "flights.jsonl.gz, JSON",
    "flights.avro, AVRO",
    "part-0001.parquet, PARQUET",
    "/data/2001/flights-3m.parquet, PARQUET",
    "gs://bucket/in/a.b.csv, CSV"
  })
  void autoUsesTheExtension(String fileName, InputFormat expected) {
    assertEquals(expected, InputFormat.of("auto", fileName));
    assertEquals(expected, InputFormat.of("AUTO", fileName));
    assertEquals(expected, InputFormat.of(null, fileName));
  }

  @Test
  void explicitFormatWinsOverTheExtension() {
    assertEquals(InputFormat.JSON, InputFormat.of("json", "data.csv"));
    assertEquals(InputFormat.PARQUET, InputFormat.of("Parquet", "data.txt"));
    assertEquals(InputFormat.CSV, InputFormat.of("CSV", "no-extension"));
  }

  @Test
  void unknownExtensionIsAnError() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> InputFormat.of("auto", "flights.txt"));
    assertTrue(e.getMessage().contains("flights.txt"), e.getMessage());
    assertTrue(e.getMessage().contains("--format"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> InputFormat.of("auto", "flights.gz"));
    assertThrows(IllegalArgumentException.class, () -> InputFormat.of("auto", "csv"));
  }

  @Test
  void unknownFormatOptionIsAnError() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> InputFormat.of("xml", "a.csv"));
    assertTrue(e.getMessage().contains("xml"), e.getMessage());
    assertTrue(e.getMessage().contains("parquet"), e.getMessage());
  }
}
