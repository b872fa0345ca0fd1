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
      Long value;
      try {
        value = counter.getCommitted();
      } catch (UnsupportedOperationException e) {
        value = counter.getAttempted();
      }
      if (value == null) {
        value = counter.getAttempted();
      }
      values.merge(counter.getName().getName(), value == null ? 0L : value, Long::sum);
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
