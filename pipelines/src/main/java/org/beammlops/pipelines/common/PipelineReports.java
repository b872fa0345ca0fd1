package org.beammlops.pipelines.common;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.beammlops.transforms.metrics.CounterSummary;

/**
 * Runs a pipeline to the end and collects its counters: the shared ending of every pipeline
 * command, whose last stdout line is the counters as one JSON object.
 */
public final class PipelineReports {
  private PipelineReports() {}

  /** Runs, waits, and returns the counters (the required keys present even when zero). */
  public static Map<String, Object> runToCompletion(Pipeline pipeline, String... requiredCounters) {
    long start = System.nanoTime();
    PipelineResult result = pipeline.run();
    PipelineResult.State state = result.waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("pipeline ended in state " + state);
    }
    Map<String, Object> report = new LinkedHashMap<>(CounterSummary.of(result, requiredCounters));
    report.put("seconds", Math.round((System.nanoTime() - start) / 1e7) / 100.0);
    return report;
  }

  /**
   * Runs a streaming pipeline for {@code seconds}, then cancels it, and returns its counters: for
   * demos, benchmarks and tests of pipelines that never end by themselves.
   */
  public static Map<String, Object> runFor(
      Pipeline pipeline, long seconds, String... requiredCounters) {
    long start = System.nanoTime();
    PipelineResult result = pipeline.run();
    result.waitUntilFinish(org.joda.time.Duration.standardSeconds(seconds));
    Map<String, Object> report = new LinkedHashMap<>(stop(result, requiredCounters));
    report.put("seconds", Math.round((System.nanoTime() - start) / 1e7) / 100.0);
    return report;
  }

  /**
   * Cancels a running pipeline (one that has ended by itself must have ended well) and returns its
   * counters: how a caller that started a streaming pipeline ends it when it has seen enough.
   */
  public static Map<String, Object> stop(PipelineResult result, String... requiredCounters) {
    PipelineResult.State state = result.getState();
    if (state == null || !state.isTerminal()) {
      try {
        result.cancel();
      } catch (java.io.IOException | UnsupportedOperationException e) {
        throw new IllegalStateException("cannot stop the pipeline", e);
      }
    } else if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("pipeline ended in state " + state);
    }
    return new LinkedHashMap<>(CounterSummary.of(result, requiredCounters));
  }

  /** Prints the report as the last line of stdout. */
  public static void print(Map<String, ?> report) {
    System.out.println(CounterSummary.toJson(report));
    System.out.flush();
  }

  /** Progress and notes for people go to stderr, keeping stdout for the JSON report. */
  public static void progress(String message) {
    System.err.println(message);
  }
}
