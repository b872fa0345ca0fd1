package org.beammlops.transforms.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * Reads a finished pipeline's counters of the {@link PipelineCounters#NAMESPACE} namespace into a
 * map and a one-line JSON object: the contract that every pipeline command ends its stdout with.
 */
public final class CounterSummary {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CounterSummary() {}

  /**
   * The counter a runner keeps of elements it drops for arriving past a window's allowed lateness
   * (the DirectRunner spells it with a capital D), reported as {@link
   * PipelineCounters#DROPPED_LATE}.
   */
  static final String RUNNER_DROPPED_LATE = "droppedDueToLateness";

  private static long valueOf(MetricResult<Long> counter) {
    Long value;
    try {
      value = counter.getCommitted();
    } catch (UnsupportedOperationException e) {
      value = counter.getAttempted();
    }
    if (value == null) {
      value = counter.getAttempted();
    }
    return value == null ? 0L : value;
  }

  /** Counter values summed over steps; committed values where the runner has them. */
  public static Map<String, Long> of(PipelineResult result, String... required) {
    Map<String, Long> values = new TreeMap<>();
    for (String name : required) {
      values.put(name, 0L);
    }
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace(PipelineCounters.NAMESPACE))
                    .build());
    for (MetricResult<Long> counter : metrics.getCounters()) {
      values.merge(counter.getName().getName(), valueOf(counter), Long::sum);
    }
    for (MetricResult<Long> counter :
        result.metrics().queryMetrics(MetricsFilter.builder().build()).getCounters()) {
      if (counter.getName().getName().equalsIgnoreCase(RUNNER_DROPPED_LATE)) {
        values.merge(PipelineCounters.DROPPED_LATE, valueOf(counter), Long::sum);
      }
    }
    return values;
  }

  /** The counters as one line of JSON, with any extra entries (numbers or text) after them. */
  public static String toJson(Map<String, ?> counters) {
    ObjectNode node = JSON.createObjectNode();
    counters.forEach((k, v) -> node.putPOJO(k, v));
    return node.toString();
  }
}
