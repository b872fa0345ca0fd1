package org.beammlops.pipelines.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.beammlops.pipelines.testing.FlightsTestData;
import org.beammlops.pipelines.testing.FlightsTestData.Flight;
import org.beammlops.transforms.tracking.LocalTrackingServer;
import org.beammlops.transforms.tracking.RegisteredModelVersion;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The challenger gate, and determinism: same seed and data, same metrics. */
class TrainGateIT {
  @TempDir static Path temp;
  private static LocalTrackingServer server;
  private static TrackingClient tracking;
  private static Path input;

  @BeforeAll
  static void start() throws Exception {
    server = LocalTrackingServer.start(temp.resolve("mlruns"));
    tracking = TrackingClient.create(TrackingConfig.builder().trackingUri(server.url()).build());
    List<String> lines = new ArrayList<>();
    lines.add(FlightsTestData.CSV_HEADER);
    FlightsTestData.firstRows(20_000).stream().map(Flight::csv).forEach(lines::add);
    input = Files.write(temp.resolve("flights.csv"), lines);
  }

  @AfterAll
  static void stop() throws Exception {
    tracking.close();
    server.close();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> train(String model, String... args) {
    List<String> all =
        new ArrayList<>(
            List.of("--task=delay15", "--input=" + input, "--registeredModel=" + model));
    all.addAll(List.of(args));
    return TrainPipeline.trainOnce(
        TrainingFixture.options(
            server.url(),
            temp.resolve("lake"),
            TrainingFixture.direct(),
            all.toArray(String[]::new)));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> part(Map<String, Object> report, String key) {
    return (Map<String, Object>) report.get(key);
  }

  @Test
  void aWeakerChallengerIsNotPromotedAndTheGateIsLoggedWithBothScores() {
    Map<String, Object> first = train("gate");
    assertEquals("champion", part(first, "model").get("alias"));
    // A linear model alone on a slice of the data: worse on the same holdout.
    Map<String, Object> second =
        train("gate", "--learners=linear", "--learnerParams=linear.epochs=1", "--seed=7");
    Map<String, Object> model = part(second, "model");
    assertEquals(2L, model.get("version"));
    double championScore = (double) model.get("championScore");
    assertEquals(
        (double) part(first, "model").get("score"),
        championScore,
        1e-6,
        "the champion re-scored on the same holdout (its ONNX graph)");
    if ((double) model.get("score") < championScore) {
      assertEquals("champion", model.get("alias"), model.toString());
    } else {
      assertEquals("challenger", model.get("alias"), model.toString());
      assertTrue(
          ((String) model.get("reason")).contains("does not beat champion v1"), model.toString());
      assertEquals(1L, tracking.getVersionByAlias("gate", "champion").orElseThrow().version());
    }
    RegisteredModelVersion v2 = tracking.getModelVersion("gate", 2);
    assertEquals(Double.toString(championScore), v2.tags().get("mlops.champion_log_loss"));
    assertTrue(
        v2.tags().containsKey("mlops.baseline_log_loss")
            && v2.tags().containsKey("mlops.gate_reason"));
  }

  @Test
  void sameSeedSameDataSameMetrics() {
    Map<String, Object> a = part(train("det", "--register=false", "--seed=11"), "holdout");
    Map<String, Object> b = part(train("det", "--register=false", "--seed=11"), "holdout");
    assertEquals(a.get("stack"), b.get("stack"));
    assertEquals(a.get("bases"), b.get("bases"));
    assertEquals(a.get("baseline"), b.get("baseline"));
  }
}
