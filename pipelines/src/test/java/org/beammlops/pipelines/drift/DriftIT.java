package org.beammlops.pipelines.drift;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.beammlops.pipelines.testing.EmbeddedKafka;
import org.beammlops.pipelines.testing.FlightsTestData;
import org.beammlops.pipelines.testing.HeadlessChromium;
import org.beammlops.pipelines.testing.TrainedModel;
import org.beammlops.transforms.tracking.LocalTrackingServer;
import org.beammlops.transforms.tracking.TrackedRun;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingConfig;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code ./mlops drift} against the real tracking server (the shared trained model's reference
 * profile), a real broker for the alert, real files, and the HTML report in headless Chromium: a
 * drifted June is flagged on the drifted features, tracked, alerted and reported; a clean June is
 * not; an empty input is a "no data" report; and every reference that cannot serve is a clear error
 * before the job runs.
 */
public class DriftIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODEL = "flights-delay15";

  @ClassRule public static final EmbeddedKafka KAFKA = new EmbeddedKafka();
  @ClassRule public static final TemporaryFolder TEMP = new TemporaryFolder();
  private static LocalTrackingServer server;
  private static List<FlightsTestData.Flight> june;

  @BeforeClass
  public static void startServicesAndRegisterTheModel() throws Exception {
    KAFKA.createTopics(1, "flights.alerts");
    server = LocalTrackingServer.start(TEMP.newFolder("mlruns").toPath());
    TrainedModel.registerAsChampion(server.url(), MODEL);
    june =
        FlightsTestData.firstRows(100_000).stream()
            .filter(f -> f.date().startsWith("2001-06"))
            .toList();
  }

  @AfterClass
  public static void stop() throws Exception {
    server.close();
  }

  private static Path jsonLines(String name, List<FlightsTestData.Flight> flights)
      throws Exception {
    return DriftTestData.jsonLines(TEMP.newFile(name).toPath(), flights);
  }

  private static Map<String, Object> drift(String... args) throws Exception {
    List<String> all =
        new ArrayList<>(
            List.of(
                "--task=delay15",
                "--trackingUri=" + server.url(),
                "--bootstrapServers=" + KAFKA.bootstrapServers(),
                "--lake=" + TEMP.newFolder().toPath(),
                "--runner=DirectRunner"));
    all.addAll(List.of(args));
    return DriftCommand.run(
        PipelineOptionsFactory.fromArgs(all.toArray(String[]::new)).as(DriftOptions.class));
  }

  @Test
  public void aDriftedJuneIsFlaggedTrackedAlertedAndReportedACleanOneIsNot() throws Exception {
    Path html = TEMP.getRoot().toPath().resolve("reports/drifted.html");
    Map<String, Object> report =
        drift(
            "--input=" + jsonLines("drifted.jsonl", DriftTestData.drifted(june)),
            "--report=" + html);
    System.err.println("drift[drifted]: " + report);
    assertEquals("DRIFT", report.get("verdict"));
    assertEquals(List.of("distance", "origin", "destination"), sorted(report.get("drifted"), 3));
    assertEquals((long) june.size(), ((Number) report.get("rowCount")).longValue());
    JsonNode json = JSON.readTree(Path.of((String) report.get("reportJson")).toFile());
    assertTrue(json.get("reference").asText().contains(MODEL + "/v"));
    JsonNode predictionRow = null;
    for (JsonNode f : json.get("features")) {
      assertTrue(f.toString(), f.get("psi").isNumber() || f.get("test").asText().equals("none"));
      if (f.get("role").asText().equals("prediction")) {
        predictionRow = f;
      }
    }
    // the model's reference profile has its holdout predictions; files have no predictions
    assertTrue(json.toString(), predictionRow != null);
    assertEquals("none", predictionRow.get("test").asText());
    assertEquals(false, report.get("predictionDrift"));

    // the alert, on the topic (and through the sinks, tested with the metrics pipeline's)
    List<ConsumerRecord<String, byte[]>> alerts =
        KAFKA.readAll("flights.alerts", 1, Duration.ofSeconds(30));
    JsonNode alert = JSON.readTree(alerts.get(0).value());
    assertEquals("DRIFT", alert.get("alertKind").asText());
    assertTrue(alert.get("message").asText(), alert.get("message").asText().contains("distance"));
    assertEquals(html.toString(), alert.get("attributes").get("report").asText());

    // the drift run: metrics per feature, the report as an artifact
    try (TrackingClient tracking =
        TrackingClient.create(TrackingConfig.builder().trackingUri(server.url()).build())) {
      String experiment = tracking.findExperimentId(MODEL).orElseThrow();
      List<TrackedRun> runs =
          tracking.searchRuns(List.of(experiment), "tags.`mlops.kind` = 'drift'", 50).stream()
              .filter(r -> r.tags().get("mlops.drift.current").contains("drifted.jsonl"))
              .toList();
      assertEquals(1, runs.size());
      TrackedRun run = runs.get(0);
      assertEquals("DRIFT", run.tags().get("mlops.drift.verdict"));
      assertEquals(0.6, run.metrics().get("drift_share"), 1e-9);
      assertEquals(1.0, run.metrics().get("drift_distance_drifted"), 0);
      assertTrue(
          tracking.listArtifacts(run.runId(), "drift").stream()
              .anyMatch(a -> a.path().endsWith("drifted.html")));
    }

    // the page, in a real browser
    String dom = chromium("--dump-dom", html.toUri().toString());
    assertTrue(dom.contains("data-verdict=\"DRIFT\""));
    assertTrue(dom.contains("3 of 5 tested features drifted"));
    assertTrue(
        dom.indexOf("data-feature=\"distance\"") < dom.indexOf("data-feature=\"hour_of_day\""));
    Path screenshot = Path.of("target", "drift-report.png").toAbsolutePath();
    Files.deleteIfExists(screenshot);
    chromium("--screenshot=" + screenshot, "--window-size=1400,900", html.toUri().toString());
    assertTrue("a real picture", Files.size(screenshot) > 30_000);

    // June as it is: no dataset drift, no second alert
    Map<String, Object> clean = drift("--input=" + jsonLines("june.jsonl", june));
    System.err.println("drift[clean]: " + clean);
    assertEquals("NO_DRIFT", clean.get("verdict"));
    assertEquals(1, KAFKA.readAll("flights.alerts", 1, Duration.ofSeconds(5)).size());
  }

  @Test
  public void anEmptyRangeOrFileIsANoDataReport() throws Exception {
    Map<String, Object> empty = drift("--input=" + jsonLines("empty.jsonl", List.of()));
    assertEquals("NO_DATA", empty.get("verdict"));
    // a range of a prediction log that is not there
    Map<String, Object> noLog =
        drift("--from=2001-06-01", "--to=2001-06-07", "--publishAlerts=false");
    assertEquals("NO_DATA", noLog.get("verdict"));
    assertEquals(0L, ((Number) noLog.get("rowCount")).longValue());
  }

  @Test
  public void everyReferenceThatCannotServeIsAClearErrorBeforeTheJobRuns() throws Exception {
    Path input = jsonLines("some.jsonl", june.subList(0, 100));
    assertError("cannot be written", "--input=" + input, "--report=/proc/drift/report.html");
    assertError("is after", "--input=" + input, "--from=2001-06-10", "--to=2001-06-01");
    assertError("is not a date", "--from=June");

    Path model = TrainedModel.directory();
    String profile = Files.readString(model.resolve("reference_profile.json"));
    // another use case's profile
    Path other = copy(model, "other-use-case");
    Files.writeString(
        other.resolve("reference_profile.json"),
        profile.replace("\"useCase\": \"flights\"", "\"useCase\": \"loans\""));
    long otherVersion = TrainedModel.registerModelDir(server.url(), MODEL, other);
    assertError(
        "was trained on use case 'loans'",
        "--input=" + input,
        "--model=models:/" + MODEL + "/" + otherVersion);
    // a profile of format 1: no sketches
    Path old = copy(model, "format-1");
    JsonNode node = JSON.readTree(profile);
    ((com.fasterxml.jackson.databind.node.ObjectNode) node).put("version", 1);
    for (JsonNode f : node.get("features")) {
      ((com.fasterxml.jackson.databind.node.ObjectNode) f)
          .remove(List.of("sketch", "distinct", "distinctSketch"));
    }
    Files.writeString(old.resolve("reference_profile.json"), node.toString());
    long oldVersion = TrainedModel.registerModelDir(server.url(), MODEL, old);
    assertError("format 1", "--input=" + input, "--model=models:/" + MODEL + "/" + oldVersion);
    // no profile at all
    Path none = copy(model, "no-profile");
    Files.delete(none.resolve("reference_profile.json"));
    Path mlmodel = none.resolve("MLmodel");
    Files.writeString(
        mlmodel, Files.readString(mlmodel).replace("  - reference_profile.json\n", ""));
    long noneVersion = TrainedModel.registerModelDir(server.url(), MODEL, none);
    assertError(
        "has no reference_profile.json",
        "--input=" + input,
        "--model=models:/" + MODEL + "/" + noneVersion);
  }

  private static void assertError(String expected, String... args) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> drift(args));
    assertTrue(e.getMessage(), e.getMessage().contains(expected));
  }

  private static Path copy(Path model, String name) throws Exception {
    Path to = TEMP.newFolder(name).toPath();
    try (var files = Files.list(model)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }

  private static List<String> sorted(Object list, int size) {
    List<String> out = new ArrayList<>();
    ((List<?>) list).forEach(x -> out.add(x.toString()));
    assertEquals(out.toString(), size, out.size());
    List<String> order = List.of("distance", "origin", "destination");
    out.sort(java.util.Comparator.comparingInt(order::indexOf));
    return out;
  }

  private static String chromium(String... args) throws Exception {
    return HeadlessChromium.run(TEMP.newFolder().toPath(), args);
  }
}
