package org.beammlops.benchmarks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.pipelines.testing.FlightsTestData;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.parse.RecordParser;
import org.junit.Test;

/** The requests and runner list of {@code bench score}: cheap checks, no broker. */
public class ScoreBenchInputsTest {

  @Test
  public void requestsAreSampleRowsThatTheParserReadsBackWithTheirNewId() throws Exception {
    UseCase flights = UseCases.load("flights");
    RequestPayloads payloads =
        RequestPayloads.read(flights, FlightsTestData.SAMPLE.toAbsolutePath().toString(), 50);
    assertEquals(50, payloads.rows());
    RecordParser parser = new RecordParser(flights);
    GenericRecord first = parser.fromJson(payloads.request(0, "m-0"), "test", 0);
    GenericRecord again = parser.fromJson(payloads.request(payloads.rows(), "m-7"), "test", 1);
    assertEquals("m-0", first.get("id").toString());
    assertEquals("m-7", again.get("id").toString());
    assertEquals(first.get("origin"), again.get("origin")); // cycled: the same row
    assertEquals(null, first.get("delay")); // a request carries no label
    assertTrue(first.get("distance") instanceof Long);
  }

  @Test
  public void runnersAreCheckedAndKeptInOrder() {
    assertEquals(List.of("flink", "plain"), ScoreBench.runners("flink, Plain,flink"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ScoreBench.runners("plain,spark"));
    assertTrue(e.getMessage(), e.getMessage().contains("'spark'"));
  }
}
