package org.beammlops.transforms.feedback;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beammlops.schemas.MetricWindow;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.beammlops.transforms.tracking.MetricPoint;
import org.beammlops.transforms.tracking.TrackedRun;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ON_TIME and LATE metric windows on the tracking server: one monitoring run per model version
 * (and one for all versions), named {@code monitor-<task>-v<version>} in the model's experiment,
 * found again after a restart by its name; each window's metrics are logged at step = the window's
 * end in epoch millis, so MLflow's metric chart of the run is the live curve. A LATE pane logs its
 * values again at the same step; the latest one is the window's. Keyed by version, so one run is
 * created per version however many workers there are. A failure to log is counted and logged, and
 * the metrics go on.
 */
public final class LogMetricWindows extends PTransform<PCollection<MetricWindow>, PDone> {
  public static final String LOGGED = "trackedWindows";
  public static final String FAILED = "trackingFailures";

  /** The tag that marks a monitoring run and names its model version. */
  public static final String MONITOR_TAG = "mlops.monitor.version";

  private final TrackingSettings tracking;
  private final String experiment;

  private LogMetricWindows(TrackingSettings tracking, String experiment) {
    this.tracking = tracking;
    this.experiment = experiment;
  }

  /** Logs into runs of {@code experiment} (the model's name, as training uses). */
  public static LogMetricWindows to(TrackingSettings tracking, String experiment) {
    return new LogMetricWindows(tracking, experiment);
  }

  /** The monitoring run's name for a task and version. */
  public static String runName(String task, String version) {
    return "monitor-"
        + task
        + (WindowedMetrics.ALL_VERSIONS.equals(version) ? "-all" : "-v" + version);
  }

  @Override
  public PDone expand(PCollection<MetricWindow> windows) {
    windows
        .apply("Global", Window.into(new GlobalWindows()))
        .apply(
            "ByVersion",
            WithKeys.of((MetricWindow w) -> w.getModelVersion())
                .withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(MetricWindow.class)))
        .apply("LogToRun", ParDo.of(new LogFn(tracking, experiment)));
    return PDone.in(windows.getPipeline());
  }

  static final class LogFn extends DoFn<KV<String, MetricWindow>, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(LogMetricWindows.class);
    private final TrackingSettings tracking;
    private final String experiment;
    private transient TrackingClient client;
    private transient Counter logged;
    private transient Counter failed;

    @StateId("runId")
    private final StateSpec<ValueState<String>> runIdSpec = StateSpecs.value(StringUtf8Coder.of());

    LogFn(TrackingSettings tracking, String experiment) {
      this.tracking = tracking;
      this.experiment = experiment;
    }

    @Setup
    public void setup() {
      client = TrackingClient.create(tracking.config());
      logged = PipelineCounters.counter(LOGGED);
      failed = PipelineCounters.counter(FAILED);
    }

    @ProcessElement
    public void process(
        @Element KV<String, MetricWindow> element, @StateId("runId") ValueState<String> runId) {
      MetricWindow w = element.getValue();
      if (w.getTiming().equals("EARLY")) {
        return;
      }
      try {
        String id = runId.read();
        if (id == null) {
          id = findOrStartRun(w);
          runId.write(id);
        }
        long step = w.getWindowEnd().toEpochMilli();
        long now = System.currentTimeMillis();
        List<MetricPoint> points = new ArrayList<>();
        // an estimate's or drift test's own count is logged under its own name: "count" is the
        // realized one's
        boolean estimate = !WindowedMetrics.REALIZED.equals(w.getKind());
        if (!estimate) {
          points.add(new MetricPoint("count", w.getCount(), now, step));
        }
        for (Map.Entry<String, Double> m : w.getMetrics().entrySet()) {
          if (!m.getKey().equals("count")) {
            points.add(new MetricPoint(m.getKey(), m.getValue(), now, step));
          }
        }
        client.logBatch(id, Map.of(), points, Map.of());
        logged.inc();
      } catch (RuntimeException e) {
        failed.inc();
        LOG.warn(
            "could not log window {} of {} v{} to the tracking server: {}",
            w.getWindowEnd(),
            w.getModelName(),
            w.getModelVersion(),
            e.toString());
      }
    }

    private String findOrStartRun(MetricWindow w) {
      String experimentId = client.getOrCreateExperiment(experiment);
      String name = runName(w.getTask(), w.getModelVersion());
      List<TrackedRun> found =
          client.searchRuns(List.of(experimentId), "attributes.run_name = '" + name + "'", 1);
      if (!found.isEmpty()) {
        return found.get(0).runId();
      }
      return client
          .startRun(
              experimentId,
              name,
              Map.of(
                  MONITOR_TAG,
                  w.getModelVersion(),
                  "mlops.task",
                  w.getTask(),
                  "mlops.use_case",
                  w.getUseCase(),
                  "mlops.model_name",
                  w.getModelName()))
          .runId();
    }

    @Teardown
    public void teardown() {
      if (client != null) {
        client.close();
      }
    }
  }
}
