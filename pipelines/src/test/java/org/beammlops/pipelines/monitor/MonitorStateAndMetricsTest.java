package org.beammlops.pipelines.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.beammlops.schemas.MetricWindow;
import org.beammlops.schemas.usecase.AlertRule;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.junit.jupiter.api.Test;

/**
 * The monitor's state, its Prometheus series and the generated files without a broker: which
 * windows count, how alerts open and close, the series' names, HTML escaping, the rules' shape.
 */
class MonitorStateAndMetricsTest {
  private static final UseCase FLIGHTS = UseCases.loadOrDefault("flights");
  private static final Instant END = Instant.parse("2001-06-01T01:00:00Z");

  private static MetricWindow window(String version, String timing, long pane, double auc) {
    return MetricWindow.newBuilder()
        .setUseCase("flights")
        .setTask("delay15")
        .setModelName("flights-delay15")
        .setModelVersion(version)
        .setWindowStart(END.minusSeconds(3600))
        .setWindowEnd(END)
        .setTiming(timing)
        .setPaneIndex(pane)
        .setCount(10)
        .setMetrics(Map.of("count", 10.0, "labelled", 9.0, "label_coverage", 0.9, "roc_auc", auc))
        .setUndefined(Map.of())
        .build();
  }

  private static MonitorState.AlertView alert(String state, String message) {
    return new MonitorState.AlertView(
        "auc-low", "METRIC_THRESHOLD", "WARNING", state, "delay15", "all", message, END);
  }

  @Test
  void lateReplacesOnTimeEarlyIsLeftOutAndAnOlderPaneDoesNotWin() {
    MonitorState state = new MonitorState(10);
    state.window(window("1", "ON_TIME", 0, 0.7));
    state.window(window("1", "EARLY", 0, 0.1));
    assertEquals(0.7, latest(state).getMetrics().get("roc_auc"));
    state.window(window("1", "LATE", 2, 0.8));
    state.window(window("1", "LATE", 1, 0.75)); // read out of order: the later pane stays
    assertEquals(0.8, latest(state).getMetrics().get("roc_auc"));
  }

  @Test
  void estimatedWindowsStandApartAndAreServedAndDrawnBesideTheRealizedOnes() throws Exception {
    MonitorState state = new MonitorState(10);
    state.window(window("1", "ON_TIME", 0, 0.7));
    MetricWindow estimate =
        MetricWindow.newBuilder(window("1", "ON_TIME", 0, 0))
            .setKind(org.beammlops.transforms.feedback.WindowedMetrics.ESTIMATED)
            .setMetrics(
                Map.of("count", 12.0, "estimated_predictions", 12.0, "estimated_roc_auc", 0.66))
            .build();
    state.window(estimate);
    // same task, version and window end: the realized window is not replaced by the estimate
    assertEquals(0.7, latest(state).getMetrics().get("roc_auc"));
    assertEquals(
        0.66,
        state
            .snapshot()
            .estimatedLatest()
            .values()
            .iterator()
            .next()
            .getMetrics()
            .get("estimated_roc_auc"));
    String text = scrape(state);
    assertTrue(
        text.contains(
            "mlops_window_estimated_roc_auc{model_version=\"1\",task=\"delay15\",use_case=\"flights\"} 0.66"),
        text);
    assertTrue(
        text.contains(
            "mlops_window_predictions{model_version=\"1\",task=\"delay15\",use_case=\"flights\"} 10"),
        "the realized window's count, not the estimate's: " + text);
    String panel = new DashboardPage(FLIGHTS, "http://127.0.0.1:5000/", 2).panel(state.snapshot());
    assertTrue(panel.contains("data-series=\"v1 estimated\""), panel);
    assertTrue(panel.contains("data-series=\"v1\""), panel);
  }

  @Test
  void historyIsBounded() {
    MonitorState state = new MonitorState(3);
    for (int i = 0; i < 5; i++) {
      MetricWindow w = window("1", "ON_TIME", 0, 0.5);
      w.setWindowEnd(END.plusSeconds(600L * i));
      state.window(w);
    }
    List<MetricWindow> history =
        state.snapshot().history().get(new MonitorState.Series("delay15", "1"));
    assertEquals(3, history.size());
    assertEquals(END.plusSeconds(2400), history.get(2).getWindowEnd());
  }

  @Test
  void aFiringRuleOpensItsResolvedClosesAndOneOffAlertsOnlyGoToRecent() {
    MonitorState state = new MonitorState(10);
    state.alert(alert("FIRING", "low"), true);
    assertEquals(1, state.snapshot().open().size());
    state.alert(alert("RESOLVED", "ok again"), true);
    state.alert(
        new MonitorState.AlertView(
            "MODEL_REFUSED", "MODEL_REFUSED", "CRITICAL", "FIRING", "", "3", "refused", END),
        false);
    MonitorState.Snapshot s = state.snapshot();
    assertTrue(s.open().isEmpty());
    assertEquals(3, s.recent().size());
    assertEquals("MODEL_REFUSED", s.recent().get(0).rule());
  }

  @Test
  void seriesFollowPrometheusNamingAndCountersEndInTotal() throws Exception {
    MonitorState state = new MonitorState(10);
    state.window(window("1", "ON_TIME", 0, 0.7));
    state.prediction("delay15", "1", END);
    state.deadLetter("score", "MALFORMED_JSON");
    state.alert(alert("FIRING", "low"), true);
    state.broker(true, null);
    state.modelEvent(new MonitorState.Served("flights-delay15", "1", "LOADED", END, "loaded"));
    String text = scrape(state);
    Set<String> names = new TreeSet<>();
    for (String line : text.split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        names.add(line.split("[{ ]")[0]);
      }
    }
    for (String name : names) {
      assertTrue(name.matches("mlops_[a-z0-9_]+"), name);
      assertFalse(name.endsWith("_count") || name.endsWith("_sum"), name);
    }
    assertTrue(names.contains("mlops_window_roc_auc"), names.toString());
    assertTrue(names.contains("mlops_window_predictions"), names.toString());
    assertTrue(names.contains("mlops_window_label_coverage_ratio"), names.toString());
    assertTrue(names.contains("mlops_predictions_total"), names.toString());
    assertTrue(names.contains("mlops_dead_letters_total"), names.toString());
    assertTrue(
        text.contains(
            "mlops_dead_letters_total{pipeline=\"score\",reason=\"MALFORMED_JSON\",use_case=\"flights\"} 1"),
        text);
    assertTrue(
        text.contains(
            "mlops_window_roc_auc{model_version=\"1\",task=\"delay15\",use_case=\"flights\"} 0.7"),
        text);
    assertTrue(
        text.contains(
            "mlops_model_served_version{model_name=\"flights-delay15\",use_case=\"flights\"} 1.0"),
        text);
  }

  @Test
  void multiClassRatesCarryTheirClassAsALabel() {
    assertEquals("mlops_window_observed_rate", MonitorMetrics.windowSeries("observed_rate_late"));
    assertEquals("mlops_window_mean_predicted", MonitorMetrics.windowSeries("mean_predicted_late"));
    assertEquals("mlops_window_predictions", MonitorMetrics.windowSeries("count"));
    List<String> names =
        MonitorMetrics.windowSeries(
            Task.multiClass("cls", "delay", List.of("early", "late"), List.of("distance")));
    assertEquals(names.size(), new TreeSet<>(names).size(), "no family twice: " + names);
  }

  @Test
  void theDashboardEscapesWhatItShows() {
    MonitorState state = new MonitorState(10);
    state.alert(alert("FIRING", "<script>alert(1)</script>"), true);
    String panel = new DashboardPage(FLIGHTS, "http://127.0.0.1:5000/", 2).panel(state.snapshot());
    assertFalse(panel.contains("<script>"), panel);
    assertTrue(panel.contains("&lt;script&gt;"), panel);
    assertTrue(panel.contains("data-broker=\"down\""), "not connected yet: " + panel);
  }

  @Test
  void aPerVersionRuleSelectsEachVersionAndForIsTheWindowsBeforeTheLast() {
    String rules =
        MonitoringFiles.alertRules(
            FLIGHTS,
            List.of(
                new AlertRule(
                    "auc",
                    "delay15",
                    "roc_auc",
                    AlertRule.Comparison.BELOW,
                    0.6,
                    4,
                    30,
                    "CRITICAL",
                    true)),
            Duration.ofMinutes(10));
    assertTrue(
        rules.contains("model_version!=\"all\"} < 0.6 and on (use_case, task, model_version)"),
        rules);
    assertTrue(rules.contains("mlops_window_labelled_predictions{"), rules);
    assertTrue(rules.contains("for: 30m"), rules);
    assertTrue(rules.contains("severity: critical"), rules);
  }

  private static MetricWindow latest(MonitorState state) {
    return state.snapshot().latest().get(new MonitorState.Series("delay15", "1"));
  }

  private static String scrape(MonitorState state) throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new MonitorMetrics(FLIGHTS, state::snapshot));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }
}
