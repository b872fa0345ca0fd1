package org.beammlops.transforms.features;

import static org.beammlops.transforms.FlightRecords.FLIGHTS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beammlops.transforms.FlightRecords;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class FitFeatureSpecTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  @Test
  public void fitsTheSameSpecAsPlainJava() {
    List<GenericRecord> records = FeatureSpecTest.random(400, 5);
    FitOptions options = FitOptions.defaults().withMinCount("origin", 5);
    FeatureSpec expected = FeatureSpec.fit(FLIGHTS, options, records);

    PCollection<FeatureSpec> spec =
        p.apply("Records", Create.of(records).withCoder(FlightRecords.coder()))
            .apply("FitFeatureSpec", FitFeatureSpec.of(FLIGHTS).withOptions(options));
    PAssert.thatSingleton(spec).isEqualTo(expected);
    p.run().waitUntilFinish();
  }

  @Test
  public void anotherOrderGivesIdenticalJson() {
    List<GenericRecord> records = FeatureSpecTest.random(300, 9);
    List<GenericRecord> shuffled = new ArrayList<>(records);
    Collections.shuffle(shuffled, new Random(1));
    String expected = FeatureSpec.fit(FLIGHTS, FitOptions.defaults(), records).toJson();

    PCollection<String> json =
        p.apply("Shuffled", Create.of(shuffled).withCoder(FlightRecords.coder()))
            .apply("FitFeatureSpec", FitFeatureSpec.of(FLIGHTS))
            .apply("ToJson", MapElements.into(TypeDescriptors.strings()).via(FeatureSpec::toJson));
    PAssert.thatSingleton(json).isEqualTo(expected);
    p.run().waitUntilFinish();
  }

  @Test
  public void emptyInputFailsWithAClearMessage() {
    p.apply("Empty", Create.empty(FlightRecords.coder()))
        .apply("FitFeatureSpec", FitFeatureSpec.of(FLIGHTS));
    Pipeline.PipelineExecutionException e =
        assertThrows(Pipeline.PipelineExecutionException.class, () -> p.run().waitUntilFinish());
    Throwable cause = e;
    while (cause.getCause() != null && !(cause instanceof IllegalStateException)) {
      cause = cause.getCause();
    }
    assertTrue(String.valueOf(cause.getMessage()), cause instanceof IllegalStateException);
    assertEquals(
        "use case 'flights': no rows to fit the feature spec on (the input is empty)",
        cause.getMessage());
  }
}
