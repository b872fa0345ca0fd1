package org.beammlops.pipelines.monitor;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.beammlops.schemas.MetricWindow;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.feedback.LiveMetricNames;
import org.beammlops.transforms.feedback.WindowedMetrics;

/**
 * The monitor's state as Prometheus series, built at each scrape from one {@link
 * MonitorState.Snapshot} so a scrape is consistent. Names follow Prometheus' naming guide: an
 * {@code mlops_} prefix, {@code _total} on counters, base units, and what varies (use case, task,
 * model version, class, reason) in labels.
 *
 * <p>The live metrics are gauges of the latest complete (ON_TIME or LATE) window per version, one
 * family per metric ({@code mlops_window_roc_auc}, {@code mlops_window_mae}, ...): a window's
 * {@code count} is {@code mlops_window_predictions}, since {@code _count} belongs to summaries.
 */
final class MonitorMetrics implements MultiCollector {
  static final String PREFIX = "mlops_";
  static final String WINDOW = PREFIX + "window_";
  static final String WINDOW_END = WINDOW + "end_timestamp_seconds";
  static final String PREDICTIONS = PREFIX + "predictions";
  static final String DEAD_LETTERS = PREFIX + "dead_letters";
  static final String ALERTS = PREFIX + "alerts";
  static final String ALERT_FIRING = PREFIX + "alert_firing";
  static final String SERVED_VERSION = PREFIX + "model_served_version";
  static final String ALIAS_VERSION = PREFIX + "model_alias_version";
  static final String BROKER_UP = PREFIX + "monitor_broker_up";
  static final String TRACKING_UP = PREFIX + "monitor_tracking_up";
  static final String MESSAGES = PREFIX + "monitor_messages";
  static final String UNREADABLE = PREFIX + "monitor_unreadable_messages";

  private static final Map<String, String> RENAMED =
      Map.of(
          "count", "predictions",
          "labelled", "labelled_predictions",
          "label_coverage", "label_coverage_ratio");
  private static final String OBSERVED_RATE = "observed_rate_";
  private static final String MEAN_PREDICTED = "mean_predicted_";

  private final UseCase useCase;
  private final Supplier<MonitorState.Snapshot> state;

  MonitorMetrics(UseCase useCase, Supplier<MonitorState.Snapshot> state) {
    this.useCase = useCase;
    this.state = state;
  }

  /** The series name of a window metric, without the class a multi-class rate carries. */
  static String windowSeries(String metric) {
    if (metric.startsWith(OBSERVED_RATE)) {
      return WINDOW + "observed_rate";
    }
    if (metric.startsWith(MEAN_PREDICTED)) {
      return WINDOW + "mean_predicted";
    }
    return WINDOW + RENAMED.getOrDefault(metric, metric);
  }

  /** Every series a task's windows can give, for the Grafana dashboard and the rules. */
  static List<String> windowSeries(Task task) {
    List<String> names = new ArrayList<>();
    for (String metric : LiveMetricNames.of(task)) {
      String name = windowSeries(metric);
      if (!names.contains(name)) {
        names.add(name);
      }
    }
    names.add(WINDOW_END);
    return names;
  }

  @Override
  public MetricSnapshots collect() {
    MonitorState.Snapshot s = state.get();
    String uc = useCase.name();
    Map<String, List<GaugeDataPointSnapshot>> gauges = new LinkedHashMap<>();
    Map<String, List<CounterDataPointSnapshot>> counters = new LinkedHashMap<>();

    s.latest()
        .forEach(
            (series, w) -> {
              Labels labels =
                  Labels.of(
                      "use_case",
                      uc,
                      "task",
                      series.task(),
                      "model_version",
                      series.modelVersion());
              windowGauges(w, labels, gauges);
            });
    s.latestByKind()
        .values()
        .forEach(
            byKind ->
                byKind.forEach(
                    (series, w) ->
                        kindGauges(
                            w,
                            Labels.of(
                                "use_case",
                                uc,
                                "task",
                                series.task(),
                                "model_version",
                                series.modelVersion()),
                            gauges)));
    s.scored()
        .forEach(
            (key, scored) ->
                counter(
                    counters,
                    PREDICTIONS,
                    Labels.of("use_case", uc, "task", key.get(0), "model_version", key.get(1)),
                    scored.predictions()));
    s.deadLetters()
        .forEach(
            (key, n) ->
                counter(
                    counters,
                    DEAD_LETTERS,
                    Labels.of("use_case", uc, "pipeline", key.get(0), "reason", key.get(1)),
                    n));
    s.alertCounts()
        .forEach(
            (key, n) -> {
              String[] parts = key.split("\u0000");
              counter(
                  counters,
                  ALERTS,
                  Labels.of(
                      "use_case", uc, "rule", parts[0], "severity", parts[1], "state", parts[2]),
                  n);
            });
    for (MonitorState.AlertView a : s.open()) {
      gauge(
          gauges,
          ALERT_FIRING,
          Labels.of(
              "use_case", uc,
              "rule", a.rule(),
              "task", a.task(),
              "model_version", a.modelVersion(),
              "severity", a.severity()),
          1);
    }
    s.served()
        .forEach(
            (model, served) ->
                number(served.modelVersion())
                    .ifPresent(
                        v ->
                            gauge(
                                gauges,
                                SERVED_VERSION,
                                Labels.of("use_case", uc, "model_name", model),
                                v)));
    s.registry()
        .models()
        .forEach(
            (model, versions) ->
                versions.forEach(
                    v ->
                        v.aliases()
                            .forEach(
                                alias ->
                                    gauge(
                                        gauges,
                                        ALIAS_VERSION,
                                        Labels.of(
                                            "use_case", uc, "model_name", model, "alias", alias),
                                        v.version()))));
    gauge(gauges, BROKER_UP, Labels.of("use_case", uc), s.brokerUp() ? 1 : 0);
    gauge(gauges, TRACKING_UP, Labels.of("use_case", uc), s.registry().error() == null ? 1 : 0);
    s.messages()
        .forEach(
            (topic, n) ->
                counter(counters, MESSAGES, Labels.of("use_case", uc, "topic", topic), n));
    s.unreadable()
        .forEach(
            (topic, n) ->
                counter(counters, UNREADABLE, Labels.of("use_case", uc, "topic", topic), n));

    List<MetricSnapshot> snapshots = new ArrayList<>();
    gauges.forEach(
        (name, points) -> {
          GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help(name));
          points.forEach(b::dataPoint);
          snapshots.add(b.build());
        });
    counters.forEach(
        (name, points) -> {
          CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help(name));
          points.forEach(b::dataPoint);
          snapshots.add(b.build());
        });
    return new MetricSnapshots(snapshots);
  }

  private static void windowGauges(
      MetricWindow w, Labels labels, Map<String, List<GaugeDataPointSnapshot>> gauges) {
    w.getMetrics()
        .forEach(
            (metric, value) -> {
              Labels withClass = labels;
              if (metric.startsWith(OBSERVED_RATE)) {
                withClass = labels.add("class", metric.substring(OBSERVED_RATE.length()));
              } else if (metric.startsWith(MEAN_PREDICTED)) {
                withClass = labels.add("class", metric.substring(MEAN_PREDICTED.length()));
              }
              gauge(gauges, windowSeries(metric), withClass, value);
            });
    gauge(gauges, WINDOW_END, labels, w.getWindowEnd().toEpochMilli() / 1000.0);
  }

  /**
   * The metrics of a window of another kind (expected performance: {@code estimated_*}; drift:
   * {@code drift_*}, {@code dataset_drift}, ...); its {@code count} is left out, as the realized
   * window's is the series of that name.
   */
  private static void kindGauges(
      MetricWindow w, Labels labels, Map<String, List<GaugeDataPointSnapshot>> gauges) {
    w.getMetrics()
        .forEach(
            (metric, value) -> {
              if (WindowedMetrics.kindOf(metric).equals(w.getKind())) {
                gauge(gauges, windowSeries(metric), labels, value);
              }
            });
  }

  private static java.util.Optional<Double> number(String version) {
    try {
      return java.util.Optional.of(Double.parseDouble(version));
    } catch (NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }

  private static void gauge(
      Map<String, List<GaugeDataPointSnapshot>> gauges, String name, Labels labels, double value) {
    gauges
        .computeIfAbsent(name, n -> new ArrayList<>())
        .add(GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
  }

  private static void counter(
      Map<String, List<CounterDataPointSnapshot>> counters, String name, Labels labels, long n) {
    counters
        .computeIfAbsent(name, k -> new ArrayList<>())
        .add(CounterDataPointSnapshot.builder().labels(labels).value(n).build());
  }

  private static String help(String name) {
    return switch (name) {
      case PREDICTIONS -> "Predictions published by the scoring jobs, per task and model version.";
      case DEAD_LETTERS -> "Dead letters published by the pipelines, by pipeline and reason.";
      case ALERTS -> "Alerts published, by rule, severity and state (FIRING or RESOLVED).";
      case ALERT_FIRING -> "1 while an alert rule fires (from its FIRING until its RESOLVED).";
      case SERVED_VERSION -> "The model version the scoring job serves (its last load or swap).";
      case ALIAS_VERSION -> "The model version a registry alias points at.";
      case BROKER_UP -> "1 when the monitor reaches the Kafka broker, 0 when it does not.";
      case TRACKING_UP -> "1 when the monitor's last read of the registry succeeded.";
      case MESSAGES -> "Messages the monitor read, per topic.";
      case UNREADABLE -> "Messages the monitor could not read, per topic.";
      case WINDOW_END -> "Event-time end of the latest complete metric window, in seconds.";
      default ->
          "Live metric of the latest complete event-time window: "
              + name.substring(WINDOW.length())
              + ".";
    };
  }
}
