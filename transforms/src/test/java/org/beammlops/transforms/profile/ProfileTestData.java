package org.beammlops.transforms.profile;

import static org.beammlops.transforms.FlightRecords.HEADER;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.transforms.FlightRecords;

/** Flights records with skewed, tied and missing values, and exact answers to check against. */
final class ProfileTestData {
  static final String[] AIRPORTS = {"ATL", "ORD", "DFW", "LAX", "SFO", "JFK", "BOS", "SEA"};

  private ProfileTestData() {}

  /**
   * {@code n} flights of 2001: distance log-normal (many ties, being whole miles), origin skewed
   * towards the first airports, delay normal-ish with {@code missingDelay} of them absent.
   */
  static List<GenericRecord> flights(int n, long seed, double missingDelay) {
    Random random = new Random(seed);
    List<GenericRecord> records = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long distance = Math.min(9999, 1 + (long) Math.exp(6 + 0.7 * random.nextGaussian()));
      String delay =
          random.nextDouble() < missingDelay
              ? ""
              : Long.toString(Math.max(-60, Math.round(5 + 30 * random.nextGaussian())));
      String origin = AIRPORTS[(int) (AIRPORTS.length * Math.pow(random.nextDouble(), 2))];
      String destination = AIRPORTS[random.nextInt(AIRPORTS.length)];
      String line =
          String.format(
              "2001-%02d-%02dT%02d:%02d,%s,%d,%s,%s",
              1 + random.nextInt(6),
              1 + random.nextInt(28),
              random.nextInt(24),
              random.nextInt(60),
              delay,
              distance,
              origin,
              destination);
      records.add(FlightRecords.parse(HEADER, line, "profile.csv", i));
    }
    return records;
  }

  /** The present values of a numeric field, sorted. */
  static double[] sortedValues(List<GenericRecord> records, String field) {
    return records.stream()
        .map(r -> r.get(field))
        .filter(v -> v != null)
        .mapToDouble(v -> ((Number) v).doubleValue())
        .sorted()
        .toArray();
  }

  /** The share of {@code sorted} values at most {@code x}. */
  static double rankAtMost(double[] sorted, double x) {
    int count = 0;
    for (double v : sorted) {
      count += v <= x ? 1 : 0;
    }
    return (double) count / sorted.length;
  }

  /** The share of {@code sorted} values below {@code x}. */
  static double rankBelow(double[] sorted, double x) {
    return rankAtMost(sorted, Math.nextDown(x));
  }

  /** The exact quantile in the sketch's (inclusive) sense: the least value with rank >= q. */
  static double exactQuantile(double[] sorted, double q) {
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, index)];
  }
}
