package org.beammlops.pipelines.monitor;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.beammlops.schemas.MetricWindow;
import org.beammlops.transforms.feedback.WindowedMetrics;

/**
 * What the monitor knows, built from the topics and the registry and read by the dashboard and the
 * Prometheus endpoint. One lock guards it all: updates are small and reads copy, so a scrape or a
 * page never sees half an update.
 */
final class MonitorState {
  /** Recent alerts kept for the dashboard. */
  static final int RECENT_ALERTS = 50;

  /** A model version's (or {@code all} versions') series of one task. */
  record Series(String task, String modelVersion) implements Comparable<Series> {
    @Override
    public int compareTo(Series o) {
      int byTask = task.compareTo(o.task);
      return byTask != 0 ? byTask : versionOrder(modelVersion) - versionOrder(o.modelVersion);
    }

    private static int versionOrder(String v) {
      try {
        return Integer.parseInt(v);
      } catch (NumberFormatException e) {
        return Integer.MAX_VALUE; // "all" last
      }
    }
  }

  /** An alert as the dashboard and the endpoint show it. */
  record AlertView(
      String rule,
      String kind,
      String severity,
      String state,
      String task,
      String modelVersion,
      String message,
      Instant at) {
    String key() {
      return rule + "/" + task + "/" + modelVersion;
    }
  }

  /** The latest model event of a registered model: what its scoring job serves. */
  record Served(String modelName, String modelVersion, String type, Instant at, String reason) {}

  /** The predictions of one task's scoring job with one version. */
  record Scored(long predictions, Instant lastScoredAt) {}

  /** One registered version as the registry lists it. */
  record Version(long version, List<String> aliases, String runId, Instant created) {}

  /** The registry as last read: models of the use case's tasks, or why it could not be read. */
  record Registry(Map<String, List<Version>> models, Instant readAt, String error) {
    static final Registry UNREAD = new Registry(Map.of(), null, "not read yet");
  }

  /** A copy of the whole state, for one page or one scrape. */
  record Snapshot(
      Map<Series, MetricWindow> latest,
      Map<Series, List<MetricWindow>> history,
      Map<String, Map<Series, MetricWindow>> latestByKind,
      Map<String, Map<Series, List<MetricWindow>>> historyByKind,
      List<AlertView> open,
      List<AlertView> recent,
      Map<String, Long> alertCounts,
      Map<String, Served> served,
      Map<List<String>, Scored> scored,
      Map<List<String>, Long> deadLetters,
      Map<String, Long> messages,
      Map<String, Long> unreadable,
      boolean brokerUp,
      String brokerProblem,
      Registry registry,
      Instant now) {
    /** The latest window of expected performance per series. */
    Map<Series, MetricWindow> estimatedLatest() {
      return latestByKind.getOrDefault(WindowedMetrics.ESTIMATED, Map.of());
    }

    Map<Series, List<MetricWindow>> estimatedHistory() {
      return historyByKind.getOrDefault(WindowedMetrics.ESTIMATED, Map.of());
    }

    /** The latest window of drift tests per series. */
    Map<Series, MetricWindow> driftLatest() {
      return latestByKind.getOrDefault(WindowedMetrics.DRIFT, Map.of());
    }

    Map<Series, List<MetricWindow>> driftHistory() {
      return historyByKind.getOrDefault(WindowedMetrics.DRIFT, Map.of());
    }
  }

  private final int historyWindows;
  private final Map<Series, NavigableMap<Instant, MetricWindow>> windows = new TreeMap<>();

  /**
   * Windows of the other kinds (expected performance, drift) by kind, apart: they share ends with
   * the realized ones.
   */
  private final Map<String, Map<Series, NavigableMap<Instant, MetricWindow>>> otherKinds =
      new TreeMap<>();

  private final Map<String, AlertView> open = new LinkedHashMap<>();
  private final Deque<AlertView> recent = new ArrayDeque<>();
  private final Map<String, Long> alertCounts = new TreeMap<>();
  private final Map<String, Served> served = new TreeMap<>();
  private final Map<List<String>, Scored> scored = new LinkedHashMap<>();
  private final Map<List<String>, Long> deadLetters = new LinkedHashMap<>();
  private final Map<String, Long> messages = new TreeMap<>();
  private final Map<String, Long> unreadable = new TreeMap<>();
  private boolean brokerUp;
  private String brokerProblem = "not connected yet";
  private Registry registry = Registry.UNREAD;

  MonitorState(int historyWindows) {
    this.historyWindows = historyWindows;
  }

  /**
   * A complete window (ON_TIME or LATE) replaces the one it updates; EARLY panes are left out of
   * the curves and the endpoint, since they change until the window closes.
   */
  synchronized void window(MetricWindow w) {
    if ("EARLY".equals(w.getTiming())) {
      return;
    }
    var byKind =
        WindowedMetrics.REALIZED.equals(w.getKind())
            ? windows
            : otherKinds.computeIfAbsent(w.getKind(), k -> new TreeMap<>());
    NavigableMap<Instant, MetricWindow> series =
        byKind.computeIfAbsent(new Series(w.getTask(), w.getModelVersion()), s -> new TreeMap<>());
    MetricWindow before = series.get(w.getWindowEnd());
    if (before == null || before.getPaneIndex() <= w.getPaneIndex()) {
      series.put(w.getWindowEnd(), w);
    }
    while (series.size() > historyWindows) {
      series.pollFirstEntry();
    }
  }

  /**
   * A rule's FIRING opens it, its RESOLVED closes it; one-off alerts only go to the recent list.
   */
  synchronized void alert(AlertView a, boolean resolvable) {
    alertCounts.merge(String.join("\u0000", a.rule(), a.severity(), a.state()), 1L, Long::sum);
    if (resolvable) {
      if ("RESOLVED".equals(a.state())) {
        open.remove(a.key());
      } else {
        open.put(a.key(), a);
      }
    }
    recent.addFirst(a);
    while (recent.size() > RECENT_ALERTS) {
      recent.removeLast();
    }
  }

  /** A model event: LOADED and SWAPPED say what the scoring job serves from now on. */
  synchronized void modelEvent(Served event) {
    if (event.type().equals("LOADED") || event.type().equals("SWAPPED")) {
      served.put(event.modelName(), event);
    }
  }

  synchronized void prediction(String task, String version, Instant scoredAt) {
    scored.merge(
        List.of(task, version),
        new Scored(1, scoredAt),
        (a, b) ->
            new Scored(
                a.predictions() + 1,
                b.lastScoredAt().isAfter(a.lastScoredAt()) ? b.lastScoredAt() : a.lastScoredAt()));
  }

  synchronized void deadLetter(String pipeline, String reason) {
    deadLetters.merge(List.of(pipeline, reason), 1L, Long::sum);
  }

  synchronized void message(String topic, boolean readable) {
    messages.merge(topic, 1L, Long::sum);
    if (!readable) {
      unreadable.merge(topic, 1L, Long::sum);
    }
  }

  synchronized void broker(boolean up, String problem) {
    brokerUp = up;
    brokerProblem = up ? null : problem;
  }

  synchronized void registry(Registry r) {
    registry = r;
  }

  private static void latestAndHistory(
      Map<Series, NavigableMap<Instant, MetricWindow>> windows,
      Map<Series, MetricWindow> latest,
      Map<Series, List<MetricWindow>> history) {
    windows.forEach(
        (series, byEnd) -> {
          if (!byEnd.isEmpty()) {
            latest.put(series, byEnd.lastEntry().getValue());
            history.put(series, List.copyOf(byEnd.values()));
          }
        });
  }

  synchronized Snapshot snapshot() {
    Map<Series, MetricWindow> latest = new TreeMap<>();
    Map<Series, List<MetricWindow>> history = new TreeMap<>();
    latestAndHistory(windows, latest, history);
    Map<String, Map<Series, MetricWindow>> latestByKind = new TreeMap<>();
    Map<String, Map<Series, List<MetricWindow>>> historyByKind = new TreeMap<>();
    otherKinds.forEach(
        (kind, byKind) -> {
          Map<Series, MetricWindow> kindLatest = new TreeMap<>();
          Map<Series, List<MetricWindow>> kindHistory = new TreeMap<>();
          latestAndHistory(byKind, kindLatest, kindHistory);
          latestByKind.put(kind, kindLatest);
          historyByKind.put(kind, kindHistory);
        });
    return new Snapshot(
        latest,
        history,
        latestByKind,
        historyByKind,
        List.copyOf(open.values()),
        new ArrayList<>(recent),
        Map.copyOf(alertCounts),
        Map.copyOf(served),
        Map.copyOf(scored),
        Map.copyOf(deadLetters),
        Map.copyOf(messages),
        Map.copyOf(unreadable),
        brokerUp,
        brokerProblem,
        registry,
        Instant.now());
  }
}
