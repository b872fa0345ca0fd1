package org.beammlops.transforms.drift;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.schemas.DriftReport;
import org.beammlops.schemas.FeatureDrift;
import org.beammlops.schemas.MetricWindow;
import org.beammlops.schemas.Prediction;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.feedback.WindowedMetrics;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.beammlops.transforms.profile.DatasetProfiler;
import org.beammlops.transforms.profile.DatasetProfiles;
import org.beammlops.transforms.profile.ProfileDataset;
import org.joda.time.Duration;

/**
 * Streaming drift: the scored requests' features and predictions profiled per model version (and
 * for all) over event-time windows, each window tested against that version's reference profile
 * ({@link ReferenceProfiles}) as {@code ./mlops drift} tests a range, and emitted as a {@link
 * MetricWindow} of kind {@value #KIND}: {@code drift_share}, {@code drifted_features}, {@code
 * tested_features}, {@code dataset_drift} (1 or 0), {@code drift_rows}, and per tested feature
 * {@code drift_<feature>} (its statistic) and {@code drift_<feature>_drifted}; the prediction is
 * {@code drift_prediction}. So drift goes wherever live metrics go: the topic, the lake, the
 * monitor's Prometheus series and dashboard, and the same alert rules.
 *
 * <pre>
 * predictions ─ ByVersionAndAll (as use-case records) ─ Windows ─ Profile (Combine.perKey) ─ CompareWithReference
 * </pre>
 *
 * A window closes when the predictions' watermark passes its end (no labels needed).
 */
public final class WindowedDrift
    extends PTransform<PCollection<Prediction>, PCollection<MetricWindow>> {
  /** The kind of a window of drift. */
  public static final String KIND = "drift";

  /** Windows not tested because their version has no reference profile. */
  public static final String WITHOUT_REFERENCE = "driftWindowsWithoutReference";

  /** Windows tested. */
  public static final String DRIFT_WINDOWS = "driftWindows";

  private final UseCase useCase;
  private final Task task;
  private final Duration window;
  private final Duration period;
  private final ReferenceProfiles references;
  private final org.joda.time.Instant skipEndingBy;

  private WindowedDrift(
      UseCase useCase,
      Task task,
      Duration window,
      Duration period,
      ReferenceProfiles references,
      org.joda.time.Instant skipEndingBy) {
    this.useCase = useCase;
    this.task = task;
    this.window = window;
    this.period = period;
    this.references = references;
    this.skipEndingBy = skipEndingBy;
  }

  /** Windows of {@code window} every {@code period} of {@code task}'s predictions. */
  public static WindowedDrift of(
      UseCase useCase, Task task, Duration window, Duration period, ReferenceProfiles references) {
    return new WindowedDrift(useCase, task, window, period, references, null);
  }

  /**
   * Skips the windows ending at or before {@code end}: emitted before a restart, they would come
   * again with part of their rows.
   */
  public WindowedDrift skipWindowsEndingBy(org.joda.time.Instant end) {
    return new WindowedDrift(useCase, task, window, period, references, end);
  }

  @Override
  public PCollection<MetricWindow> expand(PCollection<Prediction> predictions) {
    Schema schema = PredictionsAsRecords.schema(useCase);
    return predictions
        .apply("ByVersionAndAll", ParDo.of(new ByVersionAndAll(useCase, task)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(GenericRecord.class, schema)))
        .apply(
            "Windows",
            Window.<KV<String, GenericRecord>>into(
                window.equals(period)
                    ? FixedWindows.of(window)
                    : SlidingWindows.of(window).every(period)))
        .apply("SkipEmittedWindows", ParDo.of(new SkipEmitted(skipEndingBy)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(GenericRecord.class, schema)))
        .apply(
            "Profile",
            Combine.perKey(
                new ProfileDataset.ProfileFn(
                    DatasetProfiler.of(useCase).withPredictions(task), null)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), DatasetProfiles.coder()))
        .apply("CompareWithReference", ParDo.of(new CompareFn(useCase, task, references)))
        .setCoder(AvroCoder.of(MetricWindow.class))
        .apply("Unwindowed", WindowedMetrics.unwindowed());
  }

  /** Each prediction as a use-case record, under its version and under {@code all}. */
  static final class ByVersionAndAll extends DoFn<Prediction, KV<String, GenericRecord>> {
    private final UseCase useCase;
    private final boolean multiClass;
    private transient Schema schema;

    ByVersionAndAll(UseCase useCase, Task task) {
      this.useCase = useCase;
      this.multiClass = task.type() == Task.Type.MULTICLASS;
    }

    @Setup
    public void setup() {
      schema = PredictionsAsRecords.schema(useCase);
    }

    @ProcessElement
    public void process(@Element Prediction p, OutputReceiver<KV<String, GenericRecord>> out) {
      GenericRecord r = PredictionsAsRecords.record(useCase, schema, multiClass, p);
      out.output(KV.of(p.getModelVersion(), r));
      out.output(KV.of(WindowedMetrics.ALL_VERSIONS, r));
    }
  }

  /** Drops the rows of windows that ended by the given time (none when it is null). */
  static final class SkipEmitted
      extends DoFn<KV<String, GenericRecord>, KV<String, GenericRecord>> {
    private final org.joda.time.Instant endingBy;

    SkipEmitted(org.joda.time.Instant endingBy) {
      this.endingBy = endingBy;
    }

    @ProcessElement
    public void process(
        @Element KV<String, GenericRecord> element,
        BoundedWindow window,
        OutputReceiver<KV<String, GenericRecord>> out) {
      if (endingBy == null || ((IntervalWindow) window).end().isAfter(endingBy)) {
        out.output(element);
      }
    }
  }

  /** A version's window profile against its reference, as a drift window. */
  static final class CompareFn extends DoFn<KV<String, DatasetProfile>, MetricWindow> {
    private final UseCase useCase;
    private final Task task;
    private final ReferenceProfiles references;
    private transient Counter withoutReference;
    private transient Counter tested;

    CompareFn(UseCase useCase, Task task, ReferenceProfiles references) {
      this.useCase = useCase;
      this.task = task;
      this.references = references;
    }

    @Setup
    public void setup() {
      withoutReference = PipelineCounters.counter(WITHOUT_REFERENCE);
      tested = PipelineCounters.counter(DRIFT_WINDOWS);
    }

    @ProcessElement
    public void process(
        @Element KV<String, DatasetProfile> element,
        BoundedWindow window,
        PaneInfo pane,
        OutputReceiver<MetricWindow> out) {
      DatasetProfile reference = references.of(element.getKey());
      if (reference == null) {
        withoutReference.inc();
        return;
      }
      IntervalWindow interval = (IntervalWindow) window;
      java.time.Instant start = java.time.Instant.ofEpochMilli(interval.start().getMillis());
      java.time.Instant end = java.time.Instant.ofEpochMilli(interval.end().getMillis());
      DatasetProfile current =
          DatasetProfile.newBuilder(element.getValue())
              .setWindowStart(start)
              .setWindowEnd(end)
              .build();
      String modelName = useCase.modelName(task);
      DriftReport report;
      try {
        report =
            DatasetDrift.compare(
                useCase,
                reference,
                current,
                new DatasetDrift.Sides(
                    "the reference profile of " + modelName + " v" + element.getKey(),
                    "predictions " + start + ".." + end,
                    modelName,
                    element.getKey()));
      } catch (RuntimeException e) {
        // a reference the tests cannot read (e.g. of a format without sketches): the window is
        // not tested, and the job goes on
        withoutReference.inc();
        return;
      }
      tested.inc();
      PipelineCounters.counter(WindowedMetrics.METRIC_WINDOWS).inc();
      PipelineCounters.counter(WindowedMetrics.METRIC_WINDOWS + "." + pane.getTiming().name())
          .inc();
      out.output(
          MetricWindow.newBuilder()
              .setUseCase(useCase.name())
              .setTask(task.name())
              .setModelName(modelName)
              .setModelVersion(element.getKey())
              .setWindowStart(start)
              .setWindowEnd(end)
              .setTiming(pane.getTiming().name())
              .setPaneIndex(pane.getIndex())
              .setKind(KIND)
              .setCount(report.getRowCount())
              .setMetrics(metrics(report))
              .setUndefined(new LinkedHashMap<>())
              .build());
    }
  }

  /** A report as the window's metrics. */
  static Map<String, Double> metrics(DriftReport report) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("drift_rows", (double) report.getRowCount());
    m.put("drift_share", report.getDriftShare());
    m.put("drifted_features", (double) report.getDriftedFeatures());
    m.put("tested_features", (double) report.getTestedFeatures());
    m.put("dataset_drift", report.getDrifted() ? 1.0 : 0.0);
    for (FeatureDrift f : report.getFeatures()) {
      if (f.getTest().equals("none")) {
        continue;
      }
      String name =
          "drift_"
              + (f.getFeature().equals(UseCase.PREDICTION_FIELD) ? "prediction" : f.getFeature());
      if (f.getStatistic() != null && Double.isFinite(f.getStatistic())) {
        m.put(name, f.getStatistic());
      }
      m.put(name + "_drifted", f.getDrifted() ? 1.0 : 0.0);
    }
    return m;
  }
}
