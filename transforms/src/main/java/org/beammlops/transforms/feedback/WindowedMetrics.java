package org.beammlops.transforms.feedback;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.beammlops.schemas.MetricWindow;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.evaluate.MetricValues;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Live metrics per model version, and for all versions together ({@link #ALL_VERSIONS}), over
 * sliding event-time windows (fixed when the period equals the window): optional early panes every
 * {@code earlyFiring} of processing time, the ON_TIME pane when the watermark passes the window's
 * end, then a LATE pane per late pair up to the allowed lateness; panes accumulate, so each is the
 * whole window so far. Each pane becomes a {@link MetricWindow} tagged with its timing and index,
 * in the global window: the record carries its own bounds.
 *
 * <pre>
 * outcomes ─ ByVersionAndAll ─ Windows ─ [SkipEmittedWindows] ─ Metrics (Combine.perKey) ─ ToMetricWindow
 * </pre>
 *
 * A pair past the allowed lateness is dropped by the runner and counted by it as {@code
 * droppedDueToLateness}; the pipeline reports that count. A restarted job can skip every window
 * that ends at or before the last one it already emitted ON_TIME ({@link
 * Builder#skipWindowsEndingBy}), so that re-read input does not emit such a window again with part
 * of its pairs.
 */
@AutoValue
public abstract class WindowedMetrics
    extends PTransform<PCollection<Outcome>, PCollection<MetricWindow>> {
  /** The model version of the window over every version together. */
  public static final String ALL_VERSIONS = "all";

  /** Counter of pairs in windows skipped because they were emitted before a restart. */
  public static final String SKIPPED_EMITTED = "skippedEmittedWindows";

  /** Counter of panes without a single prediction, which are not emitted. */
  public static final String EMPTY_PANES = "emptyPanes";

  /** The kind of a window of metrics from predictions joined to their truth. */
  public static final String REALIZED = "realized";

  /** The kind of a window of metrics expected from the predictions alone. */
  public static final String ESTIMATED = "estimated";

  /** The kind of a window of drift tests (see {@code WindowedDrift}). */
  public static final String DRIFT = "drift";

  /**
   * The kind of window that carries {@code metric}: {@code estimated_*} are estimates, {@code
   * drift_*}, {@code drifted_features}, {@code tested_features} and {@code dataset_drift} drift
   * tests, the others realized metrics.
   */
  public static String kindOf(String metric) {
    if (metric.startsWith("estimated_")) {
      return ESTIMATED;
    }
    if (metric.startsWith("drift_")
        || metric.equals("drifted_features")
        || metric.equals("tested_features")
        || metric.equals("dataset_drift")) {
      return DRIFT;
    }
    return REALIZED;
  }

  /**
   * The metric that counts the rows behind a window's values, which an alert rule's {@code
   * minCount} is checked against: labelled predictions, or all of an estimate's or a drift test's.
   */
  public static String supportOf(String kind) {
    return switch (kind) {
      case ESTIMATED -> "estimated_predictions";
      case DRIFT -> "drift_rows";
      default -> "labelled";
    };
  }

  /** Counter of metric windows emitted, and by timing: {@code metricWindows.ON_TIME}. */
  public static final String METRIC_WINDOWS = "metricWindows";

  abstract UseCase useCase();

  abstract Task task();

  abstract Duration window();

  abstract Duration period();

  abstract Duration earlyFiring();

  abstract Duration allowedLateness();

  abstract @Nullable Instant skipEndingBy();

  abstract boolean estimated();

  abstract Builder toBuilder();

  /**
   * Windows of {@code task}'s outcomes: one hour every ten minutes, no early panes, no lateness.
   */
  public static Builder of(UseCase useCase, Task task) {
    return new AutoValue_WindowedMetrics.Builder()
        .setUseCase(useCase)
        .setTask(task)
        .setWindow(Duration.standardHours(1))
        .setPeriod(Duration.standardMinutes(10))
        .setEarlyFiring(Duration.ZERO)
        .setAllowedLateness(Duration.ZERO)
        .setEstimated(false);
  }

  /** The settings of a {@link WindowedMetrics}. */
  @AutoValue.Builder
  public abstract static class Builder {
    abstract Builder setUseCase(UseCase value);

    abstract Builder setTask(Task value);

    abstract Builder setWindow(Duration value);

    abstract Builder setPeriod(Duration value);

    /** Early panes this often in processing time after a window's first element (0 = none). */
    public abstract Builder setEarlyFiring(Duration value);

    /** How long after a window's end late pairs still update it (each in a LATE pane). */
    public abstract Builder setAllowedLateness(Duration value);

    abstract Builder setSkipEndingBy(@Nullable Instant value);

    abstract Builder setEstimated(boolean value);

    /**
     * Windows of the performance <em>expected</em> from the predictions alone, before any label
     * ({@link EstimatedMetricsAccumulator}): fed the predictions rather than the joined outcomes,
     * they close when the predictions' watermark passes, not a feedback TTL later. Their records
     * are of kind {@code estimated}, their metrics named {@code estimated_*}.
     */
    public Builder estimated() {
      return setEstimated(true);
    }

    /** Windows of {@code size} starting every {@code period} (fixed when they are equal). */
    public Builder every(Duration size, Duration period) {
      return setWindow(size).setPeriod(period);
    }

    /** Skips the windows ending at or before {@code end}: emitted ON_TIME before a restart. */
    public Builder skipWindowsEndingBy(@Nullable Instant end) {
      return setSkipEndingBy(end);
    }

    abstract WindowedMetrics autoBuild();

    /** The transform; fails on a window or period that is not positive or does not fit. */
    public WindowedMetrics build() {
      WindowedMetrics w = autoBuild();
      if (!w.window().isLongerThan(Duration.ZERO) || !w.period().isLongerThan(Duration.ZERO)) {
        throw new IllegalArgumentException(
            "window " + w.window() + " and period " + w.period() + " must be positive");
      }
      if (w.period().isLongerThan(w.window())) {
        throw new IllegalArgumentException(
            "period "
                + w.period()
                + " is longer than the window "
                + w.window()
                + ": rows between windows would be lost");
      }
      if (w.earlyFiring().isShorterThan(Duration.ZERO)
          || w.allowedLateness().isShorterThan(Duration.ZERO)) {
        throw new IllegalArgumentException("early firing and allowed lateness cannot be negative");
      }
      return w;
    }
  }

  @Override
  public PCollection<MetricWindow> expand(PCollection<Outcome> outcomes) {
    Coder<KV<String, Outcome>> keyed = KvCoder.of(StringUtf8Coder.of(), OutcomeCoder.of());
    PCollection<KV<String, Outcome>> windowed =
        outcomes
            .apply("ByVersionAndAll", ParDo.of(new ByVersionAndAll()))
            .setCoder(keyed)
            .apply("Windows", windowing());
    if (skipEndingBy() != null) {
      windowed =
          windowed
              .apply("SkipEmittedWindows", ParDo.of(new SkipEmitted(skipEndingBy())))
              .setCoder(keyed);
    }
    Combine.CombineFn<Outcome, ?, MetricValuesAndCount> metrics =
        estimated()
            ? new WindowMetricsFn<>(
                task(), EstimatedMetricsAccumulator::new, EstimatedMetricsAccumulator.class)
            : new WindowMetricsFn<>(
                task(), LiveMetricsAccumulator::new, LiveMetricsAccumulator.class);
    return windowed
        .apply("Metrics", Combine.perKey(metrics))
        .apply(
            "ToMetricWindow",
            ParDo.of(new ToMetricWindow(useCase(), task(), estimated() ? ESTIMATED : REALIZED)))
        .setCoder(AvroCoder.of(MetricWindow.class))
        .apply("Unwindowed", unwindowed());
  }

  /**
   * Back to the global window: each record carries its window's bounds and pane, so its sinks need
   * no windowing of theirs.
   */
  public static Window<MetricWindow> unwindowed() {
    return Window.<MetricWindow>into(new GlobalWindows())
        .triggering(DefaultTrigger.of())
        .withAllowedLateness(Duration.ZERO)
        .discardingFiredPanes();
  }

  private Window<KV<String, Outcome>> windowing() {
    WindowFn<Object, IntervalWindow> windows =
        window().equals(period())
            ? FixedWindows.of(window())
            : SlidingWindows.of(window()).every(period());
    AfterWatermark.AfterWatermarkEarlyAndLate trigger =
        AfterWatermark.pastEndOfWindow().withLateFirings(AfterPane.elementCountAtLeast(1));
    Trigger withEarly =
        earlyFiring().isLongerThan(Duration.ZERO)
            ? trigger.withEarlyFirings(
                AfterProcessingTime.pastFirstElementInPane().plusDelayOf(earlyFiring()))
            : trigger;
    return Window.<KV<String, Outcome>>into(windows)
        .triggering(withEarly)
        .withAllowedLateness(allowedLateness(), Window.ClosingBehavior.FIRE_IF_NON_EMPTY)
        .accumulatingFiredPanes();
  }

  /** Each outcome under its model version and under {@link #ALL_VERSIONS}. */
  static final class ByVersionAndAll extends DoFn<Outcome, KV<String, Outcome>> {
    @ProcessElement
    public void process(@Element Outcome o, OutputReceiver<KV<String, Outcome>> out) {
      out.output(KV.of(o.modelVersion(), o));
      out.output(KV.of(ALL_VERSIONS, o));
    }
  }

  /** Drops the elements of windows that ended by the given time (emitted before a restart). */
  static final class SkipEmitted extends DoFn<KV<String, Outcome>, KV<String, Outcome>> {
    private final Instant endingBy;
    private transient Counter skipped;

    SkipEmitted(Instant endingBy) {
      this.endingBy = endingBy;
    }

    @Setup
    public void setup() {
      skipped = PipelineCounters.counter(SKIPPED_EMITTED);
    }

    @ProcessElement
    public void process(
        @Element KV<String, Outcome> element,
        BoundedWindow window,
        OutputReceiver<KV<String, Outcome>> out) {
      if (((IntervalWindow) window).end().isAfter(endingBy)) {
        out.output(element);
      } else if (element.getKey().equals(ALL_VERSIONS)) {
        skipped.inc();
      }
    }
  }

  /** The metrics of one key's window, through a {@link WindowAccumulator} of the task. */
  static final class WindowMetricsFn<A extends WindowAccumulator<A>>
      extends Combine.CombineFn<Outcome, A, MetricValuesAndCount> {
    private final Task task;
    private final SerializableFunction<Task, A> create;
    private final Class<A> type;

    WindowMetricsFn(Task task, SerializableFunction<Task, A> create, Class<A> type) {
      this.task = task;
      this.create = create;
      this.type = type;
    }

    @Override
    public A createAccumulator() {
      return create.apply(task);
    }

    @Override
    public A addInput(A acc, Outcome input) {
      return acc.add(input);
    }

    @Override
    public A mergeAccumulators(Iterable<A> parts) {
      A merged = null;
      for (A part : parts) {
        merged = merged == null ? part : merged.merge(part);
      }
      return merged == null ? createAccumulator() : merged;
    }

    @Override
    public MetricValuesAndCount extractOutput(A acc) {
      return new MetricValuesAndCount(acc.predictions(), acc.result());
    }

    @Override
    public Coder<A> getAccumulatorCoder(CoderRegistry registry, Coder<Outcome> inputCoder) {
      return SerializableCoder.of(type);
    }

    @Override
    public Coder<MetricValuesAndCount> getDefaultOutputCoder(
        CoderRegistry registry, Coder<Outcome> inputCoder) {
      return SerializableCoder.of(MetricValuesAndCount.class);
    }
  }

  /** A window's result: its prediction count and metrics. */
  record MetricValuesAndCount(long count, MetricValues metrics) implements java.io.Serializable {}

  /** A key's pane as a {@link MetricWindow}, tagged with its timing and index. */
  static final class ToMetricWindow extends DoFn<KV<String, MetricValuesAndCount>, MetricWindow> {
    private final String useCase;
    private final String taskName;
    private final String modelName;
    private final String kind;

    ToMetricWindow(UseCase useCase, Task task, String kind) {
      this.useCase = useCase.name();
      this.taskName = task.name();
      this.modelName = useCase.modelName(task);
      this.kind = kind;
    }

    @ProcessElement
    public void process(
        @Element KV<String, MetricValuesAndCount> element,
        BoundedWindow window,
        PaneInfo pane,
        OutputReceiver<MetricWindow> out) {
      IntervalWindow interval = (IntervalWindow) window;
      if (element.getValue().count() == 0) {
        // Flink's streaming combine fires an ON_TIME pane of an empty accumulator beside the real
        // one (parallelism 2, every window); a window with no prediction says nothing
        PipelineCounters.counter(EMPTY_PANES).inc();
        return;
      }
      MetricValues values = element.getValue().metrics();
      PipelineCounters.counter(METRIC_WINDOWS).inc();
      PipelineCounters.counter(METRIC_WINDOWS + "." + pane.getTiming().name()).inc();
      out.output(
          MetricWindow.newBuilder()
              .setUseCase(useCase)
              .setTask(taskName)
              .setModelName(modelName)
              .setModelVersion(element.getKey())
              .setWindowStart(java.time.Instant.ofEpochMilli(interval.start().getMillis()))
              .setWindowEnd(java.time.Instant.ofEpochMilli(interval.end().getMillis()))
              .setTiming(pane.getTiming().name())
              .setPaneIndex(pane.getIndex())
              .setKind(kind)
              .setCount(element.getValue().count())
              .setMetrics(new java.util.LinkedHashMap<>(values.values()))
              .setUndefined(new java.util.LinkedHashMap<>(values.undefined()))
              .build());
    }
  }
}
