package org.beammlops.pipelines.monitor;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.beammlops.schemas.MetricWindow;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.html.Html;

/**
 * The dashboard: a page shell that fetches {@link #panel} every few seconds and swaps it in (so it
 * updates without a reload), and the panel itself, rendered on the server from one {@link
 * MonitorState.Snapshot}: connection state, open and recent alerts, what each scoring job serves,
 * the registry's models with their aliases and versions, and per task the latest window of each
 * version with SVG curves of its key metrics.
 */
final class DashboardPage {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final UseCase useCase;
  private final String trackingUri;
  private final int refreshSeconds;

  DashboardPage(UseCase useCase, String trackingUri, int refreshSeconds) {
    this.useCase = useCase;
    this.trackingUri = trackingUri.replaceAll("/+$", "");
    this.refreshSeconds = refreshSeconds;
  }

  /** The metrics a task's curves and table show first. */
  static List<String> keyMetrics(Task task) {
    return switch (task.type()) {
      case REGRESSION -> List.of("mae", "rmse", "r2", "bias");
      case MULTICLASS -> List.of("accuracy", "log_loss", "f1_macro", "roc_auc_ovr_macro");
      default -> List.of("roc_auc", "accuracy", "log_loss", "brier");
    };
  }

  String shell() {
    String title = "beam-mlops monitor: " + Html.escape(useCase.name());
    return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>%s</title>
        <style>
        body{font-family:sans-serif;margin:16px;color:#222;background:#f6f7f9}
        h1{font-size:20px;margin:0 0 6px} h2{font-size:16px;margin:18px 0 6px}
        h3{font-size:14px;margin:12px 0 4px}
        table{border-collapse:collapse;background:#fff;font-size:12px;margin-bottom:6px}
        td,th{border:1px solid #ddd;padding:3px 7px;text-align:left}
        th{background:#eef0f3} .num{text-align:right;font-variant-numeric:tabular-nums}
        .status{padding:6px 10px;border-radius:4px;margin:6px 0;font-size:13px}
        .ok{background:#e3f4e5} .down{background:#fde2e1;font-weight:bold}
        .firing{color:#b00020;font-weight:bold} .resolved{color:#1b7a2f}
        .charts{display:flex;flex-wrap:wrap;gap:10px} .muted{color:#777}
        .alias{background:#1f77b4;color:#fff;border-radius:3px;padding:0 4px;margin-right:3px}
        </style></head>
        <body data-refreshes="0">
        <h1>%s</h1>
        <div id="conn" class="muted"></div>
        <div id="panel">loading&hellip;</div>
        <script>
        let refreshes = 0;
        async function refresh() {
          try {
            const r = await fetch('panel', {cache: 'no-store'});
            if (!r.ok) throw new Error('HTTP ' + r.status);
            document.getElementById('panel').innerHTML = await r.text();
            refreshes++;
            document.body.dataset.refreshes = refreshes;
            document.getElementById('conn').textContent =
                'updated ' + new Date().toISOString() + ' (every %ds, no reload)';
          } catch (e) {
            document.getElementById('conn').textContent = 'monitor unreachable: ' + e.message;
          }
        }
        refresh();
        setInterval(refresh, %d);
        </script>
        </body></html>
        """
        .formatted(title, title, refreshSeconds, refreshSeconds * 1000);
  }

  String panel(MonitorState.Snapshot s) {
    return panel(s, List.of());
  }

  String panel(MonitorState.Snapshot s, List<DriftReports.Listed> driftReports) {
    StringBuilder h = new StringBuilder();
    status(h, s);
    alerts(h, s);
    drift(h, driftReports);
    scoring(h, s);
    registry(h, s);
    for (Task task : useCase.tasks()) {
      liveMetrics(h, s, task);
    }
    return h.toString();
  }

  private void status(StringBuilder h, MonitorState.Snapshot s) {
    if (s.brokerUp()) {
      h.append("<div id=\"broker\" class=\"status ok\" data-broker=\"up\">Kafka broker: connected")
          .append(" &middot; messages read: ")
          .append(s.messages().values().stream().mapToLong(Long::longValue).sum());
    } else {
      h.append("<div id=\"broker\" class=\"status down\" data-broker=\"down\">Kafka broker: ")
          .append(Html.escape(s.brokerProblem()))
          .append(" &mdash; showing what was read before; reconnecting");
    }
    long unreadable = s.unreadable().values().stream().mapToLong(Long::longValue).sum();
    if (unreadable > 0) {
      h.append(" &middot; unreadable messages: ").append(unreadable);
    }
    h.append("</div>");
    if (s.registry().error() != null) {
      h.append("<div id=\"tracking\" class=\"status down\">Tracking server ")
          .append(Html.escape(trackingUri))
          .append(": ")
          .append(Html.escape(s.registry().error()))
          .append("</div>");
    }
  }

  /** The drift reports in the lake, newest first, each opening its HTML report. */
  private static void drift(StringBuilder h, List<DriftReports.Listed> reports) {
    h.append("<h2>Drift reports</h2>");
    if (reports.isEmpty()) {
      h.append("<p class=\"muted\" id=\"drift-reports\">none yet: ./mlops drift writes them</p>");
      return;
    }
    h.append("<table id=\"drift-reports\"><tr><th>created</th><th>verdict</th><th>drifted</th>")
        .append("<th>current</th><th>reference</th></tr>");
    for (DriftReports.Listed r : reports) {
      h.append("<tr data-run=\"")
          .append(Html.escape(r.runId()))
          .append("\"><td><a href=\"drift/")
          .append(Html.escape(r.runId()))
          .append("/report.html\">")
          .append(Html.escape(r.createdAt()))
          .append("</a></td><td class=\"")
          .append(r.verdict().equals("DRIFT") ? "firing" : "resolved")
          .append("\">")
          .append(Html.escape(r.verdict()))
          .append("</td><td>")
          .append(String.format(java.util.Locale.ROOT, "%.0f%%", r.driftShare() * 100))
          .append(r.drifted().isEmpty() ? "" : ": " + Html.escape(String.join(", ", r.drifted())))
          .append("</td><td>")
          .append(Html.escape(r.current()))
          .append("</td><td>")
          .append(Html.escape(r.reference()))
          .append("</td></tr>");
    }
    h.append("</table>");
  }

  private void alerts(StringBuilder h, MonitorState.Snapshot s) {
    h.append("<h2>Alerts</h2>");
    if (s.open().isEmpty()) {
      h.append("<div id=\"open-alerts\" class=\"muted\">no alert firing</div>");
    } else {
      h.append("<table id=\"open-alerts\"><tr><th>firing</th><th>severity</th><th>task</th>")
          .append("<th>version</th><th>since</th><th>message</th></tr>");
      for (MonitorState.AlertView a : s.open()) {
        h.append("<tr class=\"firing\"><td>")
            .append(Html.escape(a.rule()))
            .append("</td><td>")
            .append(Html.escape(a.severity()))
            .append("</td><td>")
            .append(Html.escape(a.task()))
            .append("</td><td>")
            .append(Html.escape(a.modelVersion()))
            .append("</td><td>")
            .append(time(a.at()))
            .append("</td><td>")
            .append(Html.escape(a.message()))
            .append("</td></tr>");
      }
      h.append("</table>");
    }
    if (!s.recent().isEmpty()) {
      h.append("<h3>Recent</h3><table id=\"recent-alerts\"><tr><th>at</th><th>state</th>")
          .append("<th>rule</th><th>severity</th><th>message</th></tr>");
      for (MonitorState.AlertView a : s.recent().subList(0, Math.min(10, s.recent().size()))) {
        h.append("<tr><td>")
            .append(time(a.at()))
            .append("</td><td class=\"")
            .append("RESOLVED".equals(a.state()) ? "resolved" : "firing")
            .append("\">")
            .append(Html.escape(a.state()))
            .append("</td><td>")
            .append(Html.escape(a.rule()))
            .append("</td><td>")
            .append(Html.escape(a.severity()))
            .append("</td><td>")
            .append(Html.escape(a.message()))
            .append("</td></tr>");
      }
      h.append("</table>");
    }
  }

  private void scoring(StringBuilder h, MonitorState.Snapshot s) {
    h.append("<h2>Scoring</h2><table id=\"scoring\"><tr><th>task</th><th>model</th>")
        .append("<th>serving</th><th>predictions per version</th><th>last scored</th></tr>");
    for (Task task : useCase.tasks()) {
      String model = useCase.modelName(task);
      MonitorState.Served served = s.served().get(model);
      StringBuilder perVersion = new StringBuilder();
      Instant last = null;
      for (Map.Entry<List<String>, MonitorState.Scored> e : sortedScored(s, task)) {
        perVersion
            .append("v")
            .append(Html.escape(e.getKey().get(1)))
            .append(": ")
            .append(e.getValue().predictions())
            .append(" ");
        if (last == null || e.getValue().lastScoredAt().isAfter(last)) {
          last = e.getValue().lastScoredAt();
        }
      }
      h.append("<tr data-task=\"")
          .append(Html.escape(task.name()))
          .append("\"><td>")
          .append(Html.escape(task.name()))
          .append("</td><td>")
          .append(Html.escape(model))
          .append("</td><td class=\"served\">")
          .append(
              served == null
                  ? "<span class=\"muted\">no model event yet</span>"
                  : "v"
                      + Html.escape(served.modelVersion())
                      + " <span class=\"muted\">("
                      + Html.escape(served.type().toLowerCase(Locale.ROOT))
                      + " "
                      + time(served.at())
                      + ")</span>")
          .append("</td><td class=\"num\">")
          .append(perVersion.length() == 0 ? "0" : perVersion.toString().trim())
          .append("</td><td>")
          .append(last == null ? "" : time(last))
          .append("</td></tr>");
    }
    h.append("</table>");
    if (!s.deadLetters().isEmpty()) {
      h.append("<h3>Dead letters</h3><table id=\"dead-letters\"><tr><th>pipeline</th>")
          .append("<th>reason</th><th>count</th></tr>");
      s.deadLetters().entrySet().stream()
          .sorted(
              Map.Entry.comparingByKey(
                  (a, b) -> String.join("/", a).compareTo(String.join("/", b))))
          .forEach(
              e ->
                  h.append("<tr><td>")
                      .append(Html.escape(e.getKey().get(0)))
                      .append("</td><td>")
                      .append(Html.escape(e.getKey().get(1)))
                      .append("</td><td class=\"num\">")
                      .append(e.getValue())
                      .append("</td></tr>"));
      h.append("</table>");
    }
  }

  private static List<Map.Entry<List<String>, MonitorState.Scored>> sortedScored(
      MonitorState.Snapshot s, Task task) {
    List<Map.Entry<List<String>, MonitorState.Scored>> entries = new ArrayList<>();
    s.scored().entrySet().stream()
        .filter(e -> e.getKey().get(0).equals(task.name()))
        .sorted(Map.Entry.comparingByKey((a, b) -> a.get(1).compareTo(b.get(1))))
        .forEach(entries::add);
    return entries;
  }

  private void registry(StringBuilder h, MonitorState.Snapshot s) {
    h.append("<h2>Registry</h2>");
    if (s.registry().models().isEmpty()) {
      h.append("<div class=\"muted\">no registered model yet</div>");
      return;
    }
    h.append("<table id=\"registry\"><tr><th>model</th><th>version</th><th>aliases</th>")
        .append("<th>registered</th><th>training run</th></tr>");
    s.registry()
        .models()
        .forEach(
            (model, versions) -> {
              for (MonitorState.Version v : versions) {
                h.append("<tr><td>")
                    .append(Html.escape(model))
                    .append("</td><td><a href=\"")
                    .append(Html.escape(versionLink(model, v.version())))
                    .append("\">v")
                    .append(v.version())
                    .append("</a></td><td>");
                v.aliases()
                    .forEach(
                        a ->
                            h.append("<span class=\"alias\">")
                                .append(Html.escape(a))
                                .append("</span>"));
                h.append("</td><td>")
                    .append(v.created() == null ? "" : time(v.created()))
                    .append("</td><td>");
                if (v.runId() != null) {
                  h.append("<a href=\"")
                      .append(Html.escape(runLink(v.runId())))
                      .append("\">")
                      .append(Html.escape(v.runId().substring(0, Math.min(8, v.runId().length()))))
                      .append("</a>");
                }
                h.append("</td></tr>");
              }
            });
    h.append("</table>");
  }

  private void liveMetrics(StringBuilder h, MonitorState.Snapshot s, Task task) {
    h.append("<h2>Live metrics: ")
        .append(Html.escape(task.name()))
        .append(" <span class=\"muted\">(")
        .append(Html.escape(task.type().name().toLowerCase(Locale.ROOT)))
        .append(", latest complete window per version)</span></h2>");
    List<String> metrics = keyMetrics(task);
    Map<String, MetricWindow> latest = new LinkedHashMap<>();
    Map<String, List<MetricWindow>> history = new LinkedHashMap<>();
    s.latest()
        .forEach(
            (series, w) -> {
              if (series.task().equals(task.name())) {
                latest.put(series.modelVersion(), w);
                history.put(series.modelVersion(), s.history().get(series));
              }
            });
    if (latest.isEmpty()) {
      h.append("<div class=\"muted\">no complete window yet</div>");
      return;
    }
    h.append("<table class=\"windows\" data-task=\"")
        .append(Html.escape(task.name()))
        .append("\"><tr><th>version</th><th>window end</th><th>pane</th><th>predictions</th>")
        .append("<th>label coverage</th>");
    metrics.forEach(m -> h.append("<th>").append(Html.escape(m)).append("</th>"));
    h.append("</tr>");
    latest.forEach(
        (version, w) -> {
          h.append("<tr data-version=\"")
              .append(Html.escape(version))
              .append("\"><td>")
              .append(version.equals("all") ? "all" : "v" + Html.escape(version))
              .append("</td><td>")
              .append(time(w.getWindowEnd()))
              .append("</td><td>")
              .append(Html.escape(w.getTiming()))
              .append("</td><td class=\"num\">")
              .append(w.getCount())
              .append("</td><td class=\"num\">")
              .append(value(w, "label_coverage"))
              .append("</td>");
          metrics.forEach(
              m ->
                  h.append("<td class=\"num\" data-metric=\"")
                      .append(m)
                      .append("\">")
                      .append(value(w, m))
                      .append("</td>"));
          h.append("</tr>");
        });
    h.append("</table><div class=\"charts\">");
    for (String metric : metrics.subList(0, 2)) {
      Map<String, List<SvgChart.Point>> curves = new LinkedHashMap<>();
      history.forEach(
          (version, windows) -> {
            List<SvgChart.Point> points = new ArrayList<>();
            for (MetricWindow w : windows) {
              Double v = w.getMetrics().get(metric);
              if (v != null) {
                points.add(new SvgChart.Point(w.getWindowEnd(), v));
              }
            }
            curves.put(version.equals("all") ? "all" : "v" + version, points);
          });
      // the performance expected from the predictions alone (CBPE), beside the realized one
      curves.putAll(curvesOf(s.estimatedHistory(), task, "estimated_" + metric, " estimated"));
      h.append(SvgChart.render(task.name() + " " + metric + " by window end", curves));
    }
    // streaming drift: the share of drifted features per window, per version
    Map<String, List<SvgChart.Point>> drift = curvesOf(s.driftHistory(), task, "drift_share", "");
    if (!drift.isEmpty()) {
      h.append(SvgChart.render(task.name() + " drift_share by window end", drift));
    }
    h.append("</div>");
  }

  /**
   * One curve per version of {@code metric} over window end, from windows of another kind, named by
   * version and {@code suffix}; versions without a value of it have none.
   */
  private static Map<String, List<SvgChart.Point>> curvesOf(
      Map<MonitorState.Series, List<MetricWindow>> history,
      Task task,
      String metric,
      String suffix) {
    Map<String, List<SvgChart.Point>> curves = new LinkedHashMap<>();
    history.forEach(
        (series, windows) -> {
          if (!series.task().equals(task.name())) {
            return;
          }
          List<SvgChart.Point> points = new ArrayList<>();
          for (MetricWindow w : windows) {
            Double v = w.getMetrics().get(metric);
            if (v != null) {
              points.add(new SvgChart.Point(w.getWindowEnd(), v));
            }
          }
          if (!points.isEmpty()) {
            String version = series.modelVersion();
            curves.put((version.equals("all") ? "all" : "v" + version) + suffix, points);
          }
        });
    return curves;
  }

  private static String value(MetricWindow w, String metric) {
    Double v = w.getMetrics().get(metric);
    if (v != null) {
      return SvgChart.format(v);
    }
    String why = w.getUndefined().get(metric);
    return why == null ? "" : "<span class=\"muted\" title=\"" + Html.escape(why) + "\">n/a</span>";
  }

  private String runLink(String runId) {
    return trackingUri + "/api/2.0/mlflow/runs/get?run_id=" + url(runId);
  }

  private String versionLink(String model, long version) {
    return trackingUri
        + "/api/2.0/mlflow/model-versions/get?name="
        + url(model)
        + "&version="
        + version;
  }

  private static String url(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String time(Instant t) {
    return TIME.format(t);
  }
}
