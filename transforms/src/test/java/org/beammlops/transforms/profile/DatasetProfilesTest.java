package org.beammlops.transforms.profile;

import static org.beammlops.transforms.FlightRecords.FLIGHTS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.Coder;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.schemas.FeatureProfile;
import org.beammlops.schemas.HistogramBin;
import org.junit.jupiter.api.Test;

class DatasetProfilesTest {
  private static final Instant CREATED = Instant.parse("2025-01-02T03:04:05.678Z");

  private static FeatureProfile feature(DatasetProfile profile, String name) {
    return profile.getFeatures().stream()
        .filter(f -> f.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  /** A record built directly, so that even non-nullable fields can be missing. */
  private static GenericRecord flight(Long date, Long distance, String origin, Long delay) {
    GenericData.Record r = new GenericData.Record(FLIGHTS.lakeSchema());
    r.put("date", date);
    r.put("distance", distance);
    r.put("origin", origin);
    r.put("destination", "SFO");
    r.put("delay", delay);
    return r;
  }

  @Test
  void jsonRoundTripGivesAnEqualProfile() {
    DatasetProfile profile =
        DatasetProfiles.of(FLIGHTS, ProfileTestData.flights(2_000, 7, 0.05), CREATED);
    assertEquals(profile, DatasetProfiles.fromJson(DatasetProfiles.toJson(profile)));

    DatasetProfile windowed =
        DatasetProfile.newBuilder(profile)
            .setWindowStart(Instant.parse("2025-01-01T00:00:00Z"))
            .setWindowEnd(Instant.parse("2025-01-01T01:00:00Z"))
            .build();
    String json = DatasetProfiles.toJson(windowed);
    assertEquals(windowed, DatasetProfiles.fromJson(json));
    assertEquals(json, DatasetProfiles.toJson(DatasetProfiles.fromJson(json)));
  }

  @Test
  void jsonIsReadableAndInAStableOrder() throws Exception {
    List<GenericRecord> records = ProfileTestData.flights(500, 8, 0.1);
    String json = DatasetProfiles.toJson(DatasetProfiles.of(FLIGHTS, records, CREATED));
    JsonNode root = new ObjectMapper().readTree(json);
    List<String> keys = new ArrayList<>();
    root.fieldNames().forEachRemaining(keys::add);
    assertEquals(
        List.of(
            "version", "useCase", "createdAt", "windowStart", "windowEnd", "rowCount", "features"),
        keys);
    assertEquals("2025-01-02T03:04:05.678Z", root.get("createdAt").textValue());
    JsonNode distance = root.get("features").get(0);
    List<String> featureKeys = new ArrayList<>();
    distance.fieldNames().forEachRemaining(featureKeys::add);
    assertEquals(
        List.of(
            "name",
            "kind",
            "count",
            "missing",
            "min",
            "max",
            "mean",
            "stddev",
            "quantiles",
            "histogram",
            "frequencies",
            "distinct",
            "distinctSketch",
            "sketch"),
        featureKeys);
    List<String> ranks = new ArrayList<>();
    distance.get("quantiles").fieldNames().forEachRemaining(ranks::add);
    assertEquals(
        List.of("0.01", "0.05", "0.1", "0.25", "0.5", "0.75", "0.9", "0.95", "0.99"), ranks);
    // One line per histogram bin.
    assertTrue(json.contains("\n        { \"lower\": "), json);
    // Categories by descending count.
    long previous = Long.MAX_VALUE;
    for (Iterator<JsonNode> it = root.get("features").get(1).get("frequencies").elements();
        it.hasNext(); ) {
      long count = it.next().longValue();
      assertTrue(count <= previous);
      previous = count;
    }
  }

  @Test
  void fromJsonSaysWhatIsWrong() {
    String json = DatasetProfiles.toJson(DatasetProfiles.of(FLIGHTS, List.of(), CREATED));
    IllegalArgumentException version =
        assertThrows(
            IllegalArgumentException.class,
            () -> DatasetProfiles.fromJson(json.replace("\"version\": 2", "\"version\": 3")));
    assertTrue(version.getMessage().contains("version 3"), version.getMessage());
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> DatasetProfiles.fromJson(json.replace("\"rowCount\"", "\"rows\"")));
    assertTrue(missing.getMessage().contains("'rowCount' is missing"), missing.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DatasetProfiles.fromJson("[1, 2]"));
  }

  @Test
  void smallInputsGetExactQuantilesAndHistograms() {
    List<GenericRecord> records = ProfileTestData.flights(100, 9, 0.0);
    FeatureProfile distance = feature(DatasetProfiles.of(FLIGHTS, records, CREATED), "distance");
    double[] sorted = ProfileTestData.sortedValues(records, "distance");
    for (double q : DatasetProfiler.QUANTILE_RANKS) {
      assertEquals(
          ProfileTestData.exactQuantile(sorted, q),
          distance.getQuantiles().get(Double.toString(q)),
          0.0,
          "q" + q);
    }
    List<HistogramBin> bins = distance.getHistogram();
    for (int i = 0; i < bins.size(); i++) {
      HistogramBin b = bins.get(i);
      double lower = b.getLower();
      double upper = b.getUpper();
      boolean first = i == 0;
      long exact =
          Arrays.stream(sorted).filter(x -> (first ? x >= lower : x > lower) && x <= upper).count();
      assertEquals(exact, b.getCount(), "bin " + b);
    }
  }

  @Test
  void aPointMassAtTheMinimumGetsItsOwnBin() {
    List<GenericRecord> records = new ArrayList<>();
    for (long i = 0; i < 1_000; i++) {
      records.add(flight(0L, i < 700 ? 1L : i, "LAX", i % 2)); // delay is 0 or 1
    }
    DatasetProfile profile = DatasetProfiles.of(FLIGHTS, records, CREATED);
    List<HistogramBin> distance = feature(profile, "distance").getHistogram();
    assertEquals(1.0, distance.get(0).getLower());
    assertEquals(1.0, distance.get(0).getUpper());
    assertEquals(700, distance.get(0).getCount(), 1_000 * 0.0133 + 1);
    // A 0/1 label: the zeros get [0, 0], the ones (0, 1].
    List<HistogramBin> delay = feature(profile, "delay").getHistogram();
    assertEquals(2, delay.size());
    assertEquals(List.of(0.0, 0.0), List.of(delay.get(0).getLower(), delay.get(0).getUpper()));
    assertEquals(List.of(0.0, 1.0), List.of(delay.get(1).getLower(), delay.get(1).getUpper()));
    assertEquals(500, delay.get(0).getCount(), 1_000 * 0.0133 + 1);
    assertEquals(1_000, delay.get(0).getCount() + delay.get(1).getCount());
  }

  @Test
  void missingValuesOfEveryKindAreCounted() {
    List<GenericRecord> records =
        List.of(
            flight(981158400000L, 100L, "LAX", 3L), // 2001-02-03T00:00Z, a Saturday
            flight(null, null, null, null),
            flight(981158400000L, 300L, "ATL", null));
    DatasetProfile profile = DatasetProfiles.of(FLIGHTS, records, CREATED);
    assertEquals(3, profile.getRowCount());
    FeatureProfile distance = feature(profile, "distance");
    assertEquals(2, distance.getCount());
    assertEquals(1, distance.getMissing());
    assertEquals(200.0, distance.getMean());
    assertEquals(100.0, distance.getStddev());
    assertEquals(Map.of("LAX", 1L, "ATL", 1L), feature(profile, "origin").getFrequencies());
    assertEquals(1, feature(profile, "origin").getMissing());
    assertEquals(Map.of("6", 2L), feature(profile, "day_of_week").getFrequencies());
    assertEquals(1, feature(profile, "day_of_week").getMissing());
    assertEquals(Map.of("2", 2L), feature(profile, "month").getFrequencies());
    assertEquals(2, feature(profile, "delay").getMissing());
    assertNull(feature(profile, "destination").getMin());
  }

  @Test
  void categoriesBeyondTheTopThousandAreSummedAsOther() {
    List<GenericRecord> records = new ArrayList<>();
    for (int k = 0; k < 1_100; k++) {
      String origin = String.format("X%04d", k);
      for (int copies = 0; copies < (k < 50 ? 5 : 1); copies++) {
        records.add(flight(0L, 10L, origin, 0L));
      }
    }
    Map<String, Long> frequencies =
        feature(DatasetProfiles.of(FLIGHTS, records, CREATED), "origin").getFrequencies();
    assertEquals(DatasetProfiler.TOP_K + 1, frequencies.size());
    assertEquals(100L, frequencies.get(DatasetProfiler.OTHER)); // the last 100 singletons
    assertEquals(5L, frequencies.get("X0049"));
    assertEquals(1L, frequencies.get("X0999"));
    assertNull(frequencies.get("X1000"));
    assertEquals(records.size(), frequencies.values().stream().mapToLong(Long::longValue).sum());
  }

  @Test
  void accumulatorCoderIsDeterministicAndKeepsTheSketch() throws Exception {
    DatasetProfiler profiler = DatasetProfiler.of(FLIGHTS);
    ProfileAccumulator accumulator = profiler.createAccumulator();
    for (GenericRecord r : ProfileTestData.flights(3_000, 10, 0.1)) {
      profiler.add(accumulator, r);
    }
    Coder<ProfileAccumulator> coder = ProfileAccumulator.coder();
    coder.verifyDeterministic();
    byte[] bytes = encode(coder, accumulator);
    assertArrayEquals(bytes, encode(coder, accumulator));
    ProfileAccumulator decoded = coder.decode(new ByteArrayInputStream(bytes));
    assertEquals(3_000, decoded.rows());
    assertArrayEquals(bytes, encode(coder, decoded));
    assertEquals(profiler.finish(accumulator, CREATED), profiler.finish(decoded, CREATED));
  }

  @Test
  void mergedPartsGiveTheExactStatisticsOfTheWhole() {
    List<GenericRecord> records = ProfileTestData.flights(4_000, 11, 0.1);
    DatasetProfiler profiler = DatasetProfiler.of(FLIGHTS);
    List<ProfileAccumulator> parts = new ArrayList<>();
    for (int part = 0; part < 4; part++) {
      ProfileAccumulator a = profiler.createAccumulator();
      for (GenericRecord r : records.subList(part * 1_000, (part + 1) * 1_000)) {
        profiler.add(a, r);
      }
      parts.add(a);
    }
    DatasetProfile merged = profiler.finish(profiler.merge(parts), CREATED);
    DatasetProfile whole = DatasetProfiles.of(FLIGHTS, records, CREATED);
    assertEquals(whole.getRowCount(), merged.getRowCount());
    for (FeatureProfile w : whole.getFeatures()) {
      FeatureProfile m = feature(merged, w.getName());
      assertEquals(w.getCount(), m.getCount());
      assertEquals(w.getMissing(), m.getMissing());
      assertEquals(w.getMin(), m.getMin());
      assertEquals(w.getMax(), m.getMax());
      assertEquals(w.getMean(), m.getMean());
      assertEquals(w.getStddev(), m.getStddev());
      assertEquals(w.getFrequencies(), m.getFrequencies());
    }
  }

  private static byte[] encode(Coder<ProfileAccumulator> coder, ProfileAccumulator a)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    coder.encode(a, out);
    return out.toByteArray();
  }
}
