package org.beammlops.transforms.features;

import static org.beammlops.transforms.FlightRecords.FLIGHTS;
import static org.beammlops.transforms.FlightRecords.HEADER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.testing.CombineFnTester;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.SerializableUtils;
import org.beammlops.schemas.usecase.DerivedFeature;
import org.beammlops.transforms.FlightRecords;
import org.junit.jupiter.api.Test;

class FeatureSpecTest {

  static GenericRecord flight(String line, long position) {
    return FlightRecords.parse(HEADER, line, "t.csv", position);
  }

  /** Four flights: distance 500, 1000, 1500, 1000; origins LAX x3, ATL. */
  static List<GenericRecord> four() {
    return List.of(
        flight("2001-01-01T06:05,12,500,LAX,SFO", 1), // Monday
        flight("2001-01-02T06:30,0,1000,LAX,JFK", 2), // Tuesday
        flight("2001-02-03T18:00,30,1500,ATL,SFO", 3), // Saturday
        flight("2001-01-01T18:10,-3,1000,LAX,ORD", 4));
  }

  /** Random flights with awkward distances, for order and split independence. */
  static List<GenericRecord> random(int n, long seed) {
    Random random = new Random(seed);
    String[] airports = {"ATL", "ORD", "DFW", "LAX", "SFO", "JFK", "BOS", "SEA"};
    List<GenericRecord> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String line =
          String.format(
              "2001-%02d-%02dT%02d:%02d,%d,%d,%s,%s",
              1 + random.nextInt(6),
              1 + random.nextInt(28),
              random.nextInt(24),
              random.nextInt(60),
              random.nextInt(100) - 10,
              1 + random.nextInt(4999),
              airports[random.nextInt(airports.length)],
              airports[random.nextInt(airports.length)]);
      records.add(flight(line, i));
    }
    return records;
  }

  @Test
  void fitsMeansStdsAndVocabularies() {
    FeatureSpec spec = FeatureSpec.fit(FLIGHTS, FitOptions.defaults(), four());

    assertEquals(FeatureSpec.VERSION, spec.version());
    assertEquals("flights", spec.useCase());
    assertEquals(4, spec.rows());
    assertEquals(
        List.of("distance", "origin", "destination", "hour_of_day", "day_of_week", "month"),
        spec.features().stream().map(Feature::name).toList());

    NumericFeature distance = (NumericFeature) spec.feature("distance");
    assertEquals(
        new NumericFeature("distance", 4, 0, 1000.0, Math.sqrt(125000.0), 1000.0), distance);

    CategoricalFeature origin = (CategoricalFeature) spec.feature("origin");
    assertEquals(List.of("LAX", "ATL"), origin.vocabulary());
    assertEquals(List.of(3L, 1L), origin.counts());
    assertEquals(0, origin.rare());
    assertNull(origin.function());

    CategoricalFeature destination = (CategoricalFeature) spec.feature("destination");
    // Ties by value.
    assertEquals(List.of("SFO", "JFK", "ORD"), destination.vocabulary());

    CategoricalFeature hour = (CategoricalFeature) spec.feature("hour_of_day");
    // A tie in count: natural (numeric) order, 6 before 18.
    assertEquals(List.of("6", "18"), hour.vocabulary());
    assertEquals("date", hour.source());
    assertEquals(DerivedFeature.Function.HOUR_OF_DAY, hour.function());
    assertEquals(
        List.of("1", "2", "6"), ((CategoricalFeature) spec.feature("day_of_week")).vocabulary());
    assertEquals(List.of("1", "2"), ((CategoricalFeature) spec.feature("month")).vocabulary());
  }

  @Test
  void minCountMovesRareValuesToTheOovSlot() {
    FeatureSpec spec =
        FeatureSpec.fit(FLIGHTS, FitOptions.defaults().withMinCount("origin", 2), four());
    CategoricalFeature origin = (CategoricalFeature) spec.feature("origin");
    assertEquals(2, origin.minCount());
    assertEquals(List.of("LAX"), origin.vocabulary());
    assertEquals(1, origin.rare());
    float[] atl = spec.vectorize(four().get(2));
    int oov = spec.columns().indexOf("origin=<oov>");
    assertEquals(1f, atl[oov]);
    // Other features keep the default.
    assertEquals(1, ((CategoricalFeature) spec.feature("destination")).minCount());
  }

  @Test
  void columnsAndVectorLayout() {
    FeatureSpec spec = FeatureSpec.fit(FLIGHTS, FitOptions.defaults(), four());
    assertEquals(
        List.of(
            "distance",
            "distance_missing",
            "origin=LAX",
            "origin=ATL",
            "origin=<oov>",
            "destination=SFO",
            "destination=JFK",
            "destination=ORD",
            "destination=<oov>",
            "hour_of_day=6",
            "hour_of_day=18",
            "hour_of_day=<oov>",
            "day_of_week=1",
            "day_of_week=2",
            "day_of_week=6",
            "day_of_week=<oov>",
            "month=1",
            "month=2",
            "month=<oov>"),
        spec.columns());
    assertEquals(19, spec.width());

    float[] v = spec.vectorize(four().get(2)); // 1500, ATL -> SFO, Saturday 18:00, February
    float z = (float) (500.0 / Math.sqrt(125000.0));
    float[] expected = {
      z,
      0, // distance
      0,
      1,
      0, // origin ATL
      1,
      0,
      0,
      0, // destination SFO
      0,
      1,
      0, // hour 18
      0,
      0,
      1,
      0, // day 6
      0,
      1,
      0 // month 2
    };
    assertArrayEquals(expected, v);
  }

  @Test
  void missingNumericAndUnseenOrMissingCategories() {
    FeatureSpec spec = FeatureSpec.fit(FLIGHTS, FitOptions.defaults(), four());
    GenericData.Record r = new GenericData.Record(FLIGHTS.lakeSchema());
    r.put("date", 981158400000L); // 2001-02-03T00:00Z, a Saturday
    r.put("distance", null);
    r.put("origin", "BOS"); // never seen
    r.put("destination", null);
    float[] v = spec.vectorize(r);
    List<String> c = spec.columns();
    assertEquals(0f, v[c.indexOf("distance")]);
    assertEquals(1f, v[c.indexOf("distance_missing")]);
    assertEquals(1f, v[c.indexOf("origin=<oov>")]);
    assertEquals(0f, v[c.indexOf("origin=LAX")] + v[c.indexOf("origin=ATL")]);
    assertEquals(1f, v[c.indexOf("destination=<oov>")]);
    assertEquals(1f, v[c.indexOf("hour_of_day=<oov>")]); // hour 0 unseen
    assertEquals(1f, v[c.indexOf("day_of_week=6")]);
    assertEquals(1f, v[c.indexOf("month=2")]);
    // Every categorical block is exactly one-hot.
    float sum = 0;
    for (float x : v) {
      sum += x;
    }
    assertEquals(1f + 5f, sum);
  }

  @Test
  void missingValuesAreCountedAndExcludedFromTheMean() {
    List<GenericRecord> records = new ArrayList<>(four());
    GenericData.Record r = new GenericData.Record(FLIGHTS.lakeSchema());
    r.put("date", null);
    r.put("distance", null);
    r.put("origin", null);
    r.put("destination", "SFO");
    records.add(r);
    FeatureSpec spec = FeatureSpec.fit(FLIGHTS, FitOptions.defaults(), records);
    NumericFeature distance = (NumericFeature) spec.feature("distance");
    assertEquals(4, distance.count());
    assertEquals(1, distance.missing());
    assertEquals(1000.0, distance.mean());
    assertEquals(1000.0, distance.fill());
    assertEquals(1, spec.feature("origin").missing());
    assertEquals(1, spec.feature("hour_of_day").missing());
    assertEquals(0, spec.feature("destination").missing());
    assertEquals(5, spec.rows());
  }

  @Test
  void constantFeatureVectorizesToZeroNotNaN() {
    List<GenericRecord> records =
        List.of(
            flight("2001-01-01T06:05,12,700,LAX,SFO", 1),
            flight("2001-01-02T07:05,12,700,ATL,SFO", 2));
    FeatureSpec spec = FeatureSpec.fit(FLIGHTS, FitOptions.defaults(), records);
    NumericFeature distance = (NumericFeature) spec.feature("distance");
    assertEquals(0.0, distance.std());
    assertEquals(1.0, distance.scale());
    float[] v = spec.vectorize(records.get(0));
    assertEquals(0f, v[0]);
    assertFalse(Float.isNaN(v[0]));
    // A different value is its plain difference from the constant.
    assertEquals(100f, spec.vectorize(flight("2001-01-01T06:05,12,800,LAX,SFO", 3))[0]);
  }

  @Test
  void jsonRoundTripIsEqual() {
    FeatureSpec spec =
        FeatureSpec.fit(FLIGHTS, FitOptions.defaults().withMinCount("origin", 2), random(300, 7));
    String json = spec.toJson();
    FeatureSpec back = FeatureSpec.fromJson(json);
    assertEquals(spec, back);
    assertEquals(json, back.toJson());
    assertEquals(spec.columns(), back.columns());
    for (GenericRecord r : random(20, 8)) {
      assertArrayEquals(spec.vectorize(r), back.vectorize(r));
    }
    // Stable field order, version first.
    assertTrue(json.indexOf("\"version\"") < json.indexOf("\"useCase\""));
    assertTrue(json.indexOf("\"useCase\"") < json.indexOf("\"features\""));
    assertTrue(json.contains("\"kind\" : \"numeric\""), json);
  }

  @Test
  void rejectsAnUnknownVersionAndBadJson() {
    String json = FeatureSpec.fit(FLIGHTS, FitOptions.defaults(), four()).toJson();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> FeatureSpec.fromJson(json.replace("\"version\" : 1", "\"version\" : 99")));
    assertTrue(e.getMessage().contains("version 99"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> FeatureSpec.fromJson("{\"nope\": 1}"));
  }

  @Test
  void sameRowsInAnotherOrderGiveIdenticalJson() {
    List<GenericRecord> records = random(500, 42);
    List<GenericRecord> shuffled = new ArrayList<>(records);
    Collections.shuffle(shuffled, new Random(3));
    String a = FeatureSpec.fit(FLIGHTS, FitOptions.defaults(), records).toJson();
    String b = FeatureSpec.fit(FLIGHTS, FitOptions.defaults(), shuffled).toJson();
    assertEquals(a, b);
  }

  @Test
  void combineFnMergeEqualsOnePass() throws Exception {
    List<GenericRecord> records = random(200, 11);
    FeatureFitter fitter = FeatureFitter.of(FLIGHTS, FitOptions.defaults());
    FitFeatureSpec.FitFn fn = new FitFeatureSpec.FitFn(fitter);
    FeatureSpec expected = FeatureSpec.fit(FLIGHTS, FitOptions.defaults(), records);

    FeatureStats first = fn.createAccumulator();
    FeatureStats second = fn.createAccumulator();
    for (int i = 0; i < records.size(); i++) {
      fn.addInput(i < 73 ? first : second, records.get(i));
    }
    // Through the accumulator coder, as a runner would.
    SerializableCoder<FeatureStats> coder = SerializableCoder.of(FeatureStats.class);
    FeatureStats decoded = CoderUtils.clone(coder, second);
    FeatureSpec merged = fn.extractOutput(fn.mergeAccumulators(List.of(first, decoded)));
    assertEquals(expected, merged);
    assertEquals(expected.toJson(), merged.toJson());

    // Beam's own harness: many shardings and merge orders.
    CombineFnTester.testCombineFn(fn, records, expected);
  }

  @Test
  void emptyInputFailsNamingTheUseCase() {
    FeatureFitter fitter = FeatureFitter.of(FLIGHTS, FitOptions.defaults());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> fitter.finish(fitter.createStats()));
    assertTrue(e.getMessage().contains("'flights'"), e.getMessage());
    assertTrue(e.getMessage().contains("no rows"), e.getMessage());
  }

  @Test
  void minCountForAnUnknownOrNumericFeatureIsAnError() {
    assertThrows(
        IllegalArgumentException.class,
        () -> FeatureFitter.of(FLIGHTS, FitOptions.defaults().withMinCount("airport", 5)));
    assertThrows(
        IllegalArgumentException.class,
        () -> FeatureFitter.of(FLIGHTS, FitOptions.defaults().withMinCount("distance", 5)));
    assertThrows(
        IllegalArgumentException.class, () -> FitOptions.defaults().withDefaultMinCount(0));
  }

  @Test
  void specSurvivesJavaSerializationAndItsCoder() throws Exception {
    FeatureSpec spec = FeatureSpec.fit(FLIGHTS, FitOptions.defaults(), four());
    FeatureSpec copy = SerializableUtils.clone(spec);
    assertEquals(spec, copy);
    assertArrayEquals(spec.vectorize(four().get(0)), copy.vectorize(four().get(0)));
    CoderProperties.coderDecodeEncodeEqual(FeatureSpec.coder(), spec);
    CoderProperties.coderDeterministic(FeatureSpec.coder(), spec, copy);
  }
}
