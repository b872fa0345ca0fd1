package org.beammlops.benchmarks;

import java.util.Map;

/** The report of {@code bench score} as a table for people (stderr); the JSON stays on stdout. */
final class ScoreBenchTable {
  private ScoreBenchTable() {}

  @SuppressWarnings("unchecked")
  static String of(Map<String, Object> report) {
    StringBuilder out =
        new StringBuilder(
            String.format(
                "%nbench score: model %s, batches of at most %s, %s cores%n",
                report.get("model"), report.get("maxBatchSize"), report.get("cores")));
    Map<String, Map<String, Object>> throughput =
        (Map<String, Map<String, Object>>) report.get("throughput");
    Map<String, Object> ratios = (Map<String, Object>) report.get("eventsPerSecRatio");
    out.append(
        String.format(
            "  %-15s %10s %8s %10s %10s %12s%n",
            "at saturation", "events/s", "/plain", "p50 ms", "p99 ms", "predictions"));
    throughput.forEach(
        (runner, stats) -> {
          Object ratio = runner.equals("plain") ? "1" : ratios.get(runner + "OverPlain");
          out.append(String.format("  %-15s ", runner)).append(row(stats, ratio)).append('\n');
        });
    Map<String, Object> fixed = (Map<String, Object>) report.get("fixedRate");
    if (fixed != null) {
      out.append(
          String.format(
              "  %-15s %10s %8s %10s %10s %12s%n",
              "at " + fixed.get("rate") + "/s, " + fixed.get("seconds") + " s",
              "achieved",
              "kept up",
              "p50 ms",
              "p99 ms",
              "predictions"));
      fixed.forEach(
          (runner, value) -> {
            if (value instanceof Map<?, ?> stats) {
              Object keptUp = stats.containsKey("keptUp") ? stats.get("keptUp") : "";
              out.append(String.format("  %-15s ", runner))
                  .append(row((Map<String, Object>) stats, keptUp))
                  .append('\n');
            }
          });
    }
    out.append(
        "  latency = request produced -> prediction consumed, both in this JVM. At saturation it is"
            + " mostly queueing behind the --inFlight requests (about inFlight / events/s): quote"
            + " the fixed-rate latency. '>=' marks a lower bound: some predictions had not arrived"
            + " when the phase ended.\n");
    return out.toString();
  }

  private static String row(Map<String, Object> stats, Object middle) {
    if (stats.containsKey("error")) {
      return "failed: " + stats.get("error");
    }
    String bound = Boolean.TRUE.equals(stats.get("complete")) ? "" : ">=";
    return String.format(
        "%10s %8s %10s %10s %12s",
        stats.get("eventsPerSec"),
        middle == null ? "" : middle,
        bound + stats.get("p50Millis"),
        bound + stats.get("p99Millis"),
        stats.get("received") + "/" + stats.get("sent"));
  }
}
