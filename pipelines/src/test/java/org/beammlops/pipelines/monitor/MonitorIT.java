package org.beammlops.pipelines.monitor;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.beammlops.pipelines.testing.EmbeddedKafka;
import org.beammlops.pipelines.testing.FlightsTestData;
import org.beammlops.pipelines.testing.HeadlessChromium;
import org.beammlops.pipelines.testing.KafkaTopics;
import org.beammlops.pipelines.testing.LocalKafkaProcess;
import org.beammlops.schemas.Alert;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.MetricWindow;
import org.beammlops.schemas.ModelEvent;
import org.beammlops.schemas.ModelEventType;
import org.beammlops.schemas.Prediction;
import org.beammlops.schemas.Severity;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.alerts.AlertJson;
import org.beammlops.transforms.deadletter.DeadLetterJson;
import org.beammlops.transforms.feedback.MetricWindowJson;
import org.beammlops.transforms.serving.PredictionJson;
import org.beammlops.transforms.serving.PublishModelEvents;
import org.beammlops.transforms.tracking.LocalTrackingServer;
import org.beammlops.transforms.tracking.RunHandle;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingConfig;
import org.beammlops.transforms.tracking.TrackingSettings;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The monitor against real parts: a Kafka broker holding metric windows, alerts, model events,
 * predictions and dead letters as the pipelines publish them; the tracking server's registry; a
 * real Prometheus (Debian's {@code prometheus}) scraping {@code /metrics} and loading the generated
 * alerting rules; headless Chromium loading the dashboard (DOM read, screenshot under {@code
 * target/}); and a broker that is down when the monitor starts and comes up later.
 */
public class MonitorIT {
  @ClassRule public static final EmbeddedKafka KAFKA = new EmbeddedKafka();
  @ClassRule public static final TemporaryFolder TEMP = new TemporaryFolder();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Instant T0 = Instant.parse("2001-06-01T00:00:00Z");
  private static final UseCase FLIGHTS = UseCases.loadOrDefault("flights");
  private static final String DELAY15 = FLIGHTS.modelName(FLIGHTS.task("delay15"));
  private static final int WINDOWS = 12;

  private static LocalTrackingServer tracking;
  private static Monitor monitor;
  private static Path DRIFT_DIR;
  private static int published;

  @BeforeClass
  public static void publishAndStart() throws Exception {
    tracking = LocalTrackingServer.start(TEMP.newFolder("mlruns").toPath());
    registerTwoVersions();
    KAFKA.createTopics(
        2,
        FLIGHTS.topics().metrics(),
        FLIGHTS.topics().alerts(),
        FLIGHTS.topics().predictions(),
        FLIGHTS.topics().dlq());
    publish(KAFKA.bootstrapServers());
    DRIFT_DIR = TEMP.newFolder("lake", "flights", "drift").toPath();
    writeDriftReport(DRIFT_DIR.resolve("20261204T120000-abc123"));
    monitor = Monitor.start(settings(KAFKA.bootstrapServers()));
    await(
        () -> total(monitor.snapshot().messages()) >= published,
        "the monitor reads every message (" + published + ")");
    await(
        () -> !monitor.snapshot().registry().models().isEmpty(), "the monitor reads the registry");
  }

  @AfterClass
  public static void stop() throws Exception {
    if (monitor != null) {
      monitor.close();
    }
    if (tracking != null) {
      tracking.close();
    }
  }

  private static Monitor.Settings settings(String bootstrap) {
    return new Monitor.Settings(
        FLIGHTS,
        bootstrap,
        TrackingSettings.of(tracking.url()),
        "127.0.0.1",
        0,
        1,
        1,
        500,
        DRIFT_DIR == null ? null : DRIFT_DIR.toString());
  }

  private static void registerTwoVersions() {
    try (TrackingClient client =
        TrackingClient.create(TrackingConfig.builder().trackingUri(tracking.url()).build())) {
      String experiment = client.getOrCreateExperiment(DELAY15);
      client.ensureRegisteredModel(DELAY15);
      for (int v = 1; v <= 2; v++) {
        try (RunHandle run = client.startRun(experiment, "train-" + v, Map.of())) {
          client.createModelVersion(
              DELAY15, "runs:/" + run.runId() + "/model", run.runId(), Map.of());
        }
      }
      client.setAlias(DELAY15, "champion", 2);
      client.setAlias(DELAY15, "previous", 1);
    }
  }

  /** What the pipelines would have published during a short replay, and one unreadable message. */
  private static void publish(String bootstrap) throws Exception {
    List<byte[]> windows = new ArrayList<>();
    for (int i = 0; i < WINDOWS; i++) {
      if (i < 7) {
        windows.add(MetricWindowJson.json(binary(i, "1", 0.70 + 0.01 * i, "ON_TIME", 0)));
        windows.add(MetricWindowJson.json(regression(i, "1", 20 + i)));
      }
      if (i >= 5) {
        windows.add(MetricWindowJson.json(binary(i, "2", 0.74 + 0.012 * i, "ON_TIME", 0)));
      }
      windows.add(MetricWindowJson.json(binary(i, "all", 0.72 + 0.01 * i, "ON_TIME", 0)));
      windows.add(MetricWindowJson.json(regression(i, "all", 21 + i)));
    }
    // Expected performance from the predictions alone: two windows ahead of the labelled ones.
    for (int i = 0; i < WINDOWS + 2; i++) {
      windows.add(MetricWindowJson.json(estimated(i, 0.71 + 0.01 * i + 0.01 * (i % 3))));
      // streaming drift: the share of drifted features rises at the end
      windows.add(MetricWindowJson.json(drift(i, i < WINDOWS - 2 ? 0.0 : 0.6)));
    }
    // A late pane updates the last window of all versions; an early pane is not a complete window.
    windows.add(MetricWindowJson.json(binary(WINDOWS - 1, "all", 0.55, "LATE", 1)));
    windows.add(MetricWindowJson.json(binary(WINDOWS, "all", 0.99, "EARLY", 0)));
    windows.add("not a metric window".getBytes(StandardCharsets.UTF_8));
    send(bootstrap, FLIGHTS.topics().metrics(), windows);

    send(
        bootstrap,
        FLIGHTS.topics().alerts(),
        List.of(
            PublishModelEvents.json("flights", event(ModelEventType.LOADED, "1", 0)),
            PublishModelEvents.json("flights", event(ModelEventType.SWAPPED, "2", 50)),
            AlertJson.json(ruleAlert("delay-mae-high", "delay", "mae", "FIRING", 60)),
            AlertJson.json(ruleAlert("delay-mae-high", "delay", "mae", "RESOLVED", 80)),
            AlertJson.json(ruleAlert("delay15-auc-low", "delay15", "roc_auc", "FIRING", 110)),
            AlertJson.json(refused(90))));

    List<byte[]> predictions = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      String task = i < 7 ? "delay15" : "delay";
      predictions.add(PredictionJson.json(prediction(i, task, i < 3 || i >= 7 ? "1" : "2")));
    }
    send(bootstrap, FLIGHTS.topics().predictions(), predictions);
    send(
        bootstrap,
        FLIGHTS.topics().dlq(),
        List.of(
            DeadLetterJson.encode(deadLetter("INVALID_JSON")),
            DeadLetterJson.encode(deadLetter("INVALID_JSON")),
            DeadLetterJson.encode(deadLetter("MISSING_FIELD"))));
  }

  private static void send(String bootstrap, String topic, List<byte[]> values) throws Exception {
    KafkaTopics.send(bootstrap, topic, values);
    published += values.size();
  }

  static Instant end(int i) {
    return T0.plusSeconds(3600 + 600L * i);
  }

  static MetricWindow binary(int i, String version, double auc, String timing, long pane) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("count", 200.0);
    m.put("labelled", 190.0);
    m.put("label_coverage", 0.95);
    m.put("positives", 40.0);
    m.put("observed_rate", 40 / 190.0);
    m.put("mean_predicted", 0.2 + 0.001 * i);
    m.put("accuracy", 0.8 + 0.005 * i);
    m.put("precision", 0.6);
    m.put("recall", 0.5);
    m.put("f1", 0.545);
    m.put("roc_auc", auc);
    m.put("roc_auc_error_bound", 0.0);
    m.put("log_loss", 0.48 - 0.006 * i);
    m.put("brier", 0.15);
    return window("delay15", version, i, timing, pane, m);
  }

  static MetricWindow estimated(int i, double auc) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("count", 200.0);
    m.put("estimated_predictions", 200.0);
    m.put("estimated_roc_auc", auc);
    m.put("estimated_accuracy", 0.79 + 0.005 * i);
    MetricWindow w = window("delay15", "all", i, "ON_TIME", 0, m);
    w.setKind(org.beammlops.transforms.feedback.WindowedMetrics.ESTIMATED);
    return w;
  }

  static MetricWindow drift(int i, double share) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("count", 200.0);
    m.put("drift_rows", 200.0);
    m.put("drift_share", share);
    m.put("dataset_drift", share >= 0.5 ? 1.0 : 0.0);
    m.put("drift_distance", share > 0 ? 0.3 : 0.02);
    MetricWindow w = window("delay15", "all", i, "ON_TIME", 0, m);
    w.setKind(org.beammlops.transforms.feedback.WindowedMetrics.DRIFT);
    return w;
  }

  static MetricWindow regression(int i, String version, double mae) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("count", 150.0);
    m.put("labelled", 150.0);
    m.put("label_coverage", 1.0);
    m.put("mae", mae);
    m.put("rmse", mae * 1.6);
    m.put("r2", 0.1);
    m.put("bias", -2.0);
    m.put("mean_target", 12.0);
    m.put("mean_prediction", 10.0);
    if (version.equals("all")) {
      return window("delay", version, i, "ON_TIME", 0, m);
    }
    m.remove("r2");
    MetricWindow w = window("delay", version, i, "ON_TIME", 0, m);
    w.setUndefined(Map.of("r2", "all true values are equal"));
    return w;
  }

  private static MetricWindow window(
      String task, String version, int i, String timing, long pane, Map<String, Double> m) {
    return MetricWindow.newBuilder()
        .setUseCase("flights")
        .setTask(task)
        .setModelName(FLIGHTS.modelName(FLIGHTS.task(task)))
        .setModelVersion(version)
        .setWindowStart(end(i).minusSeconds(3600))
        .setWindowEnd(end(i))
        .setTiming(timing)
        .setPaneIndex(pane)
        .setCount(m.get("count").longValue())
        .setMetrics(m)
        .setUndefined(Map.of())
        .build();
  }

  private static ModelEvent event(ModelEventType type, String version, int minutes) {
    return ModelEvent.newBuilder()
        .setUseCase("flights")
        .setModelName(DELAY15)
        .setModelVersion(version)
        .setType(type)
        .setAt(T0.plusSeconds(60L * minutes))
        .setReason(type + " v" + version)
        .setAttributes(Map.of())
        .build();
  }

  private static Alert ruleAlert(String rule, String task, String metric, String state, int min) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("state", state);
    a.put("rule", rule);
    a.put("task", task);
    a.put("modelVersion", "all");
    a.put("metric", metric);
    a.put("threshold", "0.6");
    return Alert.newBuilder()
        .setUseCase("flights")
        .setSource("metrics")
        .setSeverity(Severity.WARNING)
        .setKind("METRIC_THRESHOLD")
        .setMessage(rule + " " + state.toLowerCase())
        .setAt(T0.plusSeconds(60L * min))
        .setAttributes(a)
        .build();
  }

  private static Alert refused(int min) {
    return Alert.newBuilder()
        .setUseCase("flights")
        .setSource("score")
        .setSeverity(Severity.CRITICAL)
        .setKind("MODEL_REFUSED")
        .setMessage("model " + DELAY15 + "/v3 refused: feature spec differs")
        .setAt(T0.plusSeconds(60L * min))
        .setAttributes(Map.of("state", "FIRING", "rule", "MODEL_REFUSED", "modelVersion", "3"))
        .build();
  }

  private static Prediction prediction(int i, String task, String version) {
    return Prediction.newBuilder()
        .setRequestId("r" + i)
        .setUseCase("flights")
        .setTask(task)
        .setEventTime(T0.plusSeconds(i))
        .setScoredAt(T0.plusSeconds(i + 1))
        .setModelName(FLIGHTS.modelName(FLIGHTS.task(task)))
        .setModelVersion(version)
        .setPrediction(0.3)
        .setPredictedClass(null)
        .setClassProbabilities(Map.of())
        .setLatencyMillis(2.0)
        .setFeatures(Map.of())
        .build();
  }

  private static DeadLetter deadLetter(String errorType) {
    return DeadLetter.newBuilder()
        .setUseCase("flights")
        .setPipeline("score")
        .setStep("ParseRequests")
        .setSource("flights.requests")
        .setPosition(7)
        .setReason("bad request")
        .setErrorType(errorType)
        .setPayload(java.nio.ByteBuffer.wrap("{oops".getBytes(StandardCharsets.UTF_8)))
        .setPayloadSize(5)
        .setFailedAt(T0)
        .build();
  }

  // ------------------------------------------------------------------ the state

  @Test
  public void completeWindowsAlertsModelEventsAndCountsAreKept() {
    MonitorState.Snapshot s = monitor.snapshot();
    MetricWindow all = s.latest().get(new MonitorState.Series("delay15", "all"));
    assertEquals("the LATE pane replaces the ON_TIME one", "LATE", all.getTiming());
    assertEquals(0.55, all.getMetrics().get("roc_auc"), 0);
    assertEquals("EARLY panes are left out", end(WINDOWS - 1), all.getWindowEnd());
    assertEquals(WINDOWS, s.history().get(new MonitorState.Series("delay15", "all")).size());
    assertEquals(7, s.history().get(new MonitorState.Series("delay15", "1")).size());
    assertEquals(List.of("delay15-auc-low"), s.open().stream().map(a -> a.rule()).toList());
    assertEquals(6, s.recent().size() + 2); // 4 alerts; the model events are not alerts
    assertEquals("2", s.served().get(DELAY15).modelVersion());
    assertEquals(3L, s.scored().get(List.of("delay15", "1")).predictions());
    assertEquals(4L, s.scored().get(List.of("delay15", "2")).predictions());
    assertEquals(2L, (long) s.deadLetters().get(List.of("score", "INVALID_JSON")));
    assertEquals(Map.of(FLIGHTS.topics().metrics(), 1L), s.unreadable());
    assertTrue(s.brokerUp());
  }

  // ------------------------------------------------------------------ Prometheus

  @Test
  public void aRealPrometheusScrapesTheEndpointAndLoadsTheGeneratedRules() throws Exception {
    Path dir = TEMP.newFolder("prometheus").toPath();
    Path rules = dir.resolve("rules.yml");
    Files.writeString(rules, MonitoringFiles.alertRules(FLIGHTS, java.time.Duration.ofMinutes(10)));
    int port = freePort();
    Files.writeString(
        dir.resolve("prometheus.yml"),
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            + "rule_files:\n  - "
            + rules
            + "\nscrape_configs:\n  - job_name: mlops-monitor\n    static_configs:\n"
            + "      - targets: ['127.0.0.1:"
            + monitor.port()
            + "']\n");
    Process prometheus =
        new ProcessBuilder(
                binary("prometheus"),
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    try {
      String api = "http://127.0.0.1:" + port + "/api/v1/";
      String query =
          "mlops_window_roc_auc{use_case=\"flights\",task=\"delay15\",model_version=\"2\"}";
      JsonNode result = awaitQuery(api, query, prometheus, dir);
      double expected =
          monitor
              .snapshot()
              .latest()
              .get(new MonitorState.Series("delay15", "2"))
              .getMetrics()
              .get("roc_auc");
      assertEquals(expected, result.get(0).get("value").get(1).asDouble(), 1e-12);
      assertEquals(
          3.0,
          awaitQuery(
                  api,
                  "mlops_predictions_total{task=\"delay15\",model_version=\"1\"}",
                  prometheus,
                  dir)
              .get(0)
              .get("value")
              .get(1)
              .asDouble(),
          0);
      JsonNode firing = awaitQuery(api, "mlops_alert_firing", prometheus, dir);
      assertEquals(1, firing.size());
      assertEquals("delay15-auc-low", firing.get(0).get("metric").get("rule").asText());
      assertEquals(
          2.0,
          awaitQuery(api, "mlops_model_served_version", prometheus, dir)
              .get(0)
              .get("value")
              .get(1)
              .asDouble(),
          0);
      assertEquals(
          1.0,
          awaitQuery(api, "mlops_monitor_broker_up", prometheus, dir)
              .get(0)
              .get("value")
              .get(1)
              .asDouble(),
          0);
      JsonNode groups = get(api + "rules").get("data").get("groups");
      assertEquals(1, groups.size());
      List<String> loaded = new ArrayList<>();
      for (JsonNode rule : groups.get(0).get("rules")) {
        assertEquals(rule.toString(), "ok", rule.get("health").asText());
        loaded.add(rule.get("labels").get("rule").asText());
      }
      assertEquals(FLIGHTS.alerts().stream().map(r -> r.name()).toList(), loaded);
    } finally {
      prometheus.destroy();
      prometheus.waitFor(20, TimeUnit.SECONDS);
    }
  }

  private static JsonNode awaitQuery(String api, String query, Process prometheus, Path dir)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String last = "";
    while (System.nanoTime() < deadline) {
      if (!prometheus.isAlive()) {
        throw new AssertionError(
            "prometheus exited: " + Files.readString(dir.resolve("prometheus.log")));
      }
      try {
        JsonNode answer =
            get(api + "query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
        last = answer.toString();
        if (answer.path("data").path("result").size() > 0) {
          return answer.get("data").get("result");
        }
      } catch (IOException e) {
        last = e.toString(); // not listening yet
      }
      Thread.sleep(500);
    }
    throw new AssertionError("Prometheus never had " + query + "; last answer: " + last);
  }

  // ------------------------------------------------------------------ Grafana and the rules files

  @Test
  public void theGrafanaDashboardNamesOnlySeriesTheEndpointExports() throws Exception {
    String committed =
        Files.readString(monitoringDir().resolve(MonitoringFiles.dashboardFile(FLIGHTS)));
    assertEquals(
        "infra/monitoring is generated: ./mlops monitor --writeMonitoringFiles=infra/monitoring",
        MonitoringFiles.grafanaDashboard(FLIGHTS),
        committed);
    JsonNode dashboard = JSON.readTree(committed);
    Set<String> named = new TreeSet<>();
    Pattern series = Pattern.compile("\\bmlops_[a-z0-9_]+");
    for (JsonNode node : dashboard.findValues("expr")) {
      Matcher m = series.matcher(node.asText());
      while (m.find()) {
        named.add(m.group());
      }
    }
    for (JsonNode node : dashboard.findValues("query")) {
      Matcher m = series.matcher(node.asText());
      while (m.find()) {
        named.add(m.group());
      }
    }
    assertTrue("the dashboard queries the monitor's series: " + named, named.size() >= 10);
    Set<String> exported = new TreeSet<>();
    for (String line : http(monitor.url() + "metrics").split("\n")) {
      if (!line.isEmpty() && !line.startsWith("#")) {
        exported.add(line.split("[{ ]")[0]);
      }
    }
    Set<String> missing = new TreeSet<>(named);
    missing.removeAll(exported);
    assertTrue("series the dashboard names but /metrics lacks: " + missing, missing.isEmpty());
  }

  @Test
  public void theAlertingRulesFileIsUpToDateAndPromtoolAcceptsIt() throws Exception {
    Path file = monitoringDir().resolve(MonitoringFiles.rulesFile(FLIGHTS));
    assertEquals(
        MonitoringFiles.alertRules(FLIGHTS, java.time.Duration.ofMinutes(10)),
        Files.readString(file));
    Process check =
        new ProcessBuilder(binary("promtool"), "check", "rules", file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(out, 0, check.waitFor());
    assertTrue(out, out.contains("SUCCESS: " + FLIGHTS.alerts().size() + " rules found"));
  }

  private static Path monitoringDir() {
    Path here = Path.of("").toAbsolutePath();
    return (Files.isDirectory(here.resolve("infra")) ? here : here.getParent())
        .resolve("infra/monitoring");
  }

  // ------------------------------------------------------------------ the dashboard in Chromium

  @Test
  public void theDashboardInHeadlessChromiumShowsRegistryServingCurvesAndAlerts() throws Exception {
    String dom = chromium("--dump-dom", monitor.url());
    Matcher refreshes = Pattern.compile("data-refreshes=\"(\\d+)\"").matcher(dom);
    assertTrue(dom, refreshes.find());
    assertTrue(
        "the page fetched its panel again without a reload: " + refreshes.group(1),
        Integer.parseInt(refreshes.group(1)) >= 2);
    assertTrue(dom, dom.contains("id=\"registry\""));
    assertTrue("champion alias shown", dom.contains("<span class=\"alias\">champion</span>"));
    assertTrue("served version from the model events", dom.contains("<td class=\"served\">v2"));
    assertTrue("open alert", dom.matches("(?s).*<table id=\"open-alerts\">.*delay15-auc-low.*"));
    assertTrue("recent RESOLVED alert", dom.contains("class=\"resolved\">RESOLVED"));
    assertTrue("broker state", dom.contains("data-broker=\"up\""));
    for (String curve : List.of("v1", "v2", "all")) {
      assertTrue(
          "a curve of " + curve, dom.contains("class=\"series\" data-series=\"" + curve + "\""));
    }
    assertTrue(
        "the streaming drift's share of drifted features",
        dom.contains("data-title=\"delay15 drift_share by window end\""));
    assertTrue(
        "the expected performance beside the realized one",
        dom.contains("class=\"series\" data-series=\"all estimated\""));
    assertTrue(
        "charts of both tasks",
        dom.contains("data-title=\"delay15 roc_auc by window end\"")
            && dom.contains("data-title=\"delay mae by window end\""));
    assertTrue(
        "an undefined metric says why", dom.contains("title=\"all true values are equal\">n/a"));
    assertTrue("a link to the training run", dom.contains("/api/2.0/mlflow/runs/get?run_id="));

    Path screenshot = Path.of("target", "monitor-dashboard.png").toAbsolutePath();
    Files.deleteIfExists(screenshot);
    chromium("--screenshot=" + screenshot, "--window-size=1280,2400", monitor.url());
    assertTrue(Files.exists(screenshot));
    assertTrue("a real picture, not a blank page", Files.size(screenshot) > 30_000);
  }

  private static String chromium(String... args) throws Exception {
    return HeadlessChromium.run(TEMP.newFolder().toPath(), args);
  }

  // ------------------------------------------------------------------ broker down at start

  /** A drift report as ./mlops drift writes it: June with its distances scaled, against May. */
  private static void writeDriftReport(Path dir) throws Exception {
    java.nio.file.Files.createDirectories(dir);
    org.beammlops.transforms.parse.RecordParser parser =
        new org.beammlops.transforms.parse.RecordParser(FLIGHTS);
    List<String> header = List.of(FlightsTestData.CSV_HEADER.split(","));
    List<org.apache.avro.generic.GenericRecord> may = new ArrayList<>();
    List<org.apache.avro.generic.GenericRecord> june = new ArrayList<>();
    int i = 0;
    for (FlightsTestData.Flight f : FlightsTestData.firstRows(100_000)) {
      boolean isJune = f.date().startsWith("2001-06");
      if (!isJune && !f.date().startsWith("2001-05")) {
        continue;
      }
      FlightsTestData.Flight g =
          isJune
              ? new FlightsTestData.Flight(
                  f.date(), f.delay(), f.distance() * 2, f.origin(), f.destination())
              : f;
      (isJune ? june : may).add(parser.fromCsv(header, FlightsTestData.utf8(g.csv()), "t", ++i));
    }
    var reference = org.beammlops.transforms.profile.DatasetProfiles.of(FLIGHTS, may);
    var current = org.beammlops.transforms.profile.DatasetProfiles.of(FLIGHTS, june);
    var report =
        org.beammlops.transforms.drift.DatasetDrift.compare(
            FLIGHTS,
            reference,
            current,
            new org.beammlops.transforms.drift.DatasetDrift.Sides(
                "lake events 2001-05", "lake events 2001-06", null, null));
    java.nio.file.Files.write(
        dir.resolve("report.json"), org.beammlops.transforms.drift.DriftReportJson.json(report));
    java.nio.file.Files.writeString(
        dir.resolve("report.html"),
        org.beammlops.transforms.drift.DriftReportPage.render(report, reference, current));
  }

  @Test
  public void theDashboardListsTheDriftReportsAndOpensThem() throws Exception {
    await(
        () -> {
          try {
            return http(monitor.url() + "panel").contains("data-run=\"20261204T120000-abc123\"");
          } catch (Exception e) {
            return false;
          }
        },
        "the dashboard lists the drift report");
    String panel = http(monitor.url() + "panel");
    assertTrue(panel, panel.contains("href=\"drift/20261204T120000-abc123/report.html\""));
    assertTrue(panel, panel.contains(">distance") || panel.contains(": distance"));
    String page = http(monitor.url() + "drift/20261204T120000-abc123/report.html");
    assertTrue(page.contains("data-verdict="));
    assertTrue(page.contains("data-feature=\"distance\""));
    assertTrue(
        http(monitor.url() + "drift/..%2F..%2Fetc/report.html").contains("no such drift report"));
    assertTrue(http(monitor.url() + "drift/nothing/report.html").contains("no such drift report"));
  }

  @Test
  public void startedWhileTheBrokerIsDownItServesSaysSoAndReconnects() throws Throwable {
    // A broker of its own, stopped before the monitor starts and started again afterwards.
    try (LocalKafkaProcess kafka = LocalKafkaProcess.started()) {
      kafka.stop();
      try (Monitor blind = Monitor.start(settings(kafka.bootstrapServers()))) {
        await(
            () -> !blind.snapshot().brokerProblem().equals("not connected yet"), "a broker check");
        assertFalse(blind.snapshot().brokerUp());
        assertTrue(
            http(blind.url() + "metrics")
                .contains("mlops_monitor_broker_up{use_case=\"flights\"} 0.0"));
        String panel = http(blind.url() + "panel");
        assertTrue(panel, panel.contains("data-broker=\"down\""));
        assertTrue(panel, panel.contains("showing what was read before; reconnecting"));
        assertTrue(
            "it still serves the registry", panel.contains("<span class=\"alias\">champion"));

        kafka.start();
        // local up created the use case's topics
        KafkaTopics.send(
            kafka.bootstrapServers(),
            FLIGHTS.topics().metrics(),
            List.of(MetricWindowJson.json(binary(0, "1", 0.7, "ON_TIME", 0))));
        await(() -> blind.snapshot().brokerUp(), "the monitor sees the broker up");
        await(
            () -> blind.snapshot().latest().containsKey(new MonitorState.Series("delay15", "1")),
            "the monitor reads the topic once the broker is up");
        String metrics = http(blind.url() + "metrics");
        assertTrue(metrics, metrics.contains("mlops_monitor_broker_up{use_case=\"flights\"} 1.0"));
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  private static String binary(String name) {
    return HeadlessChromium.binary(name);
  }

  private static JsonNode get(String url) throws Exception {
    return JSON.readTree(http(url));
  }

  private static String http(String url) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .timeout(java.time.Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static long total(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(200);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
