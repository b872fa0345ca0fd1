package org.beammlops.benchmarks;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table a benchmark prints on stderr: a line per contender with its counts, seconds and rate,
 * and the rate as a ratio of the baseline's measured in the same run.
 */
final class ContenderTable {
  private ContenderTable() {}

  /**
   * {@code contenders} maps a name to its row ({@code counts} as whole numbers, {@code seconds},
   * {@code rateKey}); the ratio column divides by {@code baseline}'s rate (blank without one).
   */
  static String render(
      Map<String, Object> contenders,
      String baseline,
      List<String> counts,
      String rateKey,
      String rateLabel) {
    Object base = contenders.get(baseline);
    double baseRate =
        base == null ? Double.NaN : ((Number) ((Map<?, ?>) base).get(rateKey)).doubleValue();
    StringBuilder t = new StringBuilder(String.format(Locale.ROOT, "%-14s", "contender"));
    counts.forEach(c -> t.append(String.format(Locale.ROOT, " %10s", c)));
    t.append(
        String.format(Locale.ROOT, " %9s %12s %12s%n", "seconds", rateLabel, "vs " + baseline));
    contenders.forEach(
        (name, value) -> {
          Map<?, ?> r = (Map<?, ?>) value;
          double rate = ((Number) r.get(rateKey)).doubleValue();
          t.append(String.format(Locale.ROOT, "%-14s", name));
          counts.forEach(
              c -> t.append(String.format(Locale.ROOT, " %10d", ((Number) r.get(c)).longValue())));
          t.append(
              String.format(
                  Locale.ROOT,
                  " %9.2f %12.0f %11.2fx%n",
                  ((Number) r.get("seconds")).doubleValue(),
                  rate,
                  rate / baseRate));
        });
    return t.toString();
  }
}
