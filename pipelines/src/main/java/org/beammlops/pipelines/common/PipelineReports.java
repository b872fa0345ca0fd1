package org.beammlops.pipelines.common;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
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
      // A job detached from an embedded Flink cluster has no metrics once it is cancelled (the
      // cluster goes with it): the counters as they stood just before are what there is then.
      Map<String, Long> beforeCancel = countersIfAny(result, requiredCounters);
      try {
        result.cancel();
      } catch (java.io.IOException | UnsupportedOperationException e) {
        throw new IllegalStateException("cannot stop the pipeline", e);
      }
      Map<String, Long> afterCancel = countersIfAny(result, requiredCounters);
      if (afterCancel == null && beforeCancel == null) {
        throw new IllegalStateException("the runner reports no counters for the stopped job");
      }
      return new LinkedHashMap<>(afterCancel != null ? afterCancel : beforeCancel);
    } else if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("pipeline ended in state " + state);
    }
    return new LinkedHashMap<>(CounterSummary.of(result, requiredCounters));
  }

  private static Map<String, Long> countersIfAny(PipelineResult result, String... required) {
    try {
      return CounterSummary.of(result, required);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Runs a streaming pipeline until it has gone idle ({@link IdleStop}: input seen, then no counter
   * moved for {@code idleSeconds}) and {@code caughtUp} agrees on its counters, or, as a deadline,
   * until {@code maxSeconds} have passed (0 = none); then cancels it and returns its counters with
   * {@code stoppedBy}: {@code idle}, {@code deadline} or {@code finished}. Quiet counters alone are
   * not enough: a step can hold everything for longer than the idle time (a model loading on a busy
   * machine) while input waits. Needs a runner whose {@code run()} returns while the job runs (on
   * the DirectRunner {@code --blockOnRun=false}, which {@code ./mlops} sets for these options).
   */
  public static Map<String, Object> runUntilIdle(
      Pipeline pipeline,
      long idleSeconds,
      long maxSeconds,
      Predicate<Map<String, Long>> caughtUp,
      String... requiredCounters) {
    long start = System.nanoTime();
    PipelineResult result = pipeline.run();
    progress(
        "running; stops once its input is handled and "
            + idleSeconds
            + " s passed without a counter moving"
            + (maxSeconds > 0 ? ", or after " + maxSeconds + " s" : ""));
    IdleStop idle = new IdleStop(idleSeconds * 1000);
    String stoppedBy = "finished";
    while (true) {
      PipelineResult.State state = result.waitUntilFinish(org.joda.time.Duration.millis(500));
      if (state != null && state.isTerminal()) {
        if (state != PipelineResult.State.DONE) {
          throw new IllegalStateException("pipeline ended in state " + state);
        }
        break;
      }
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      boolean deadline = maxSeconds > 0 && elapsedMillis >= maxSeconds * 1000;
      Map<String, Long> counters = CounterSummary.of(result, requiredCounters);
      if (deadline || (idle.idle(counters, elapsedMillis) && caughtUp.test(counters))) {
        stoppedBy = deadline ? "deadline" : "idle";
        break;
      }
    }
    Map<String, Object> report = stop(result, requiredCounters);
    report.put("seconds", Math.round((System.nanoTime() - start) / 1e7) / 100.0);
    report.put("stoppedBy", stoppedBy);
    return report;
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
