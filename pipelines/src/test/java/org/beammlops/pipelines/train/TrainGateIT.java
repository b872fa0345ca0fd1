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
        "the champion re-scored on the same holdout (its ONNX graph): it trained on none of it");
    assertEquals(part(second, "rows").get("holdoutRows"), model.get("gateRows"));
    if ((double) model.get("gateScore") < championScore) {
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

  /**
   * The incident the fair gate is for: a champion trained on a small sample of January–May was
   * re-scored on the May holdout of a model trained on many more rows of January–April. It had
   * trained on part of that holdout. Now it is scored only on the rows neither model trained on,
   * and the version's tags say which rows those were.
   */
  @Test
  void aChampionThatTrainedOnPartOfTheNewHoldoutIsNeverScoredOnThoseRows() throws Exception {
    List<Flight> januaryToMay =
        FlightsTestData.firstRows(100_000).stream()
            .filter(f -> f.date().compareTo("2001-06") < 0)
            .toList();
    List<String> big = new ArrayList<>(List.of(FlightsTestData.CSV_HEADER));
    List<String> sample = new ArrayList<>(List.of(FlightsTestData.CSV_HEADER));
    for (int i = 0; i < januaryToMay.size(); i += 4) {
      big.add(januaryToMay.get(i).csv());
      if (i % 16 == 0) {
        sample.add(januaryToMay.get(i).csv());
      }
    }
    Path sampleFile = Files.write(temp.resolve("sample-jan-may.csv"), sample);
    Path bigFile = Files.write(temp.resolve("jan-may.csv"), big);

    Map<String, Object> first = train("fair", "--input=" + sampleFile, "--split=hash");
    assertEquals("champion", part(first, "model").get("alias"), first.toString());
    Map<String, String> v1 = tracking.getModelVersion("fair", 1).tags();
    assertEquals("2001-01-01", v1.get("mlops.train_first_date"));
    assertTrue(v1.get("mlops.train_last_date").startsWith("2001-05"), v1.toString());
    assertTrue(v1.get("mlops.train_split").startsWith("hash"), v1.toString());

    Map<String, Object> second = train("fair", "--input=" + bigFile, "--holdoutFrom=2001-05-01");
    Map<String, String> v2 = tracking.getModelVersion("fair", 2).tags();
    assertEquals("2001-04-30", v2.get("mlops.train_last_date"));

    // What the champion really trained on, by content, and the new holdout.
    java.util.Set<String> championTrained = new java.util.HashSet<>();
    org.beammlops.transforms.lake.ParquetFiles.forEachRecord(
        FitLearners.filesOf(trainingDir(first) + "/train"), r -> championTrained.add(content(r)));
    List<String> holdout = new ArrayList<>();
    org.beammlops.transforms.lake.ParquetFiles.forEachRecord(
        FitLearners.filesOf(trainingDir(second) + "/holdout"), r -> holdout.add(content(r)));
    long seenByChampion = holdout.stream().filter(championTrained::contains).count();
    assertTrue(seenByChampion > 100, "the shape: the champion trained on May rows");

    long gateRows = Long.parseLong(v2.get("mlops.gate_rows"));
    long excluded = Long.parseLong(v2.get("mlops.gate_rows_excluded"));
    assertEquals(holdout.size(), gateRows + excluded);
    assertTrue(excluded >= seenByChampion, "every row the champion trained on is left out");
    long unseen = holdout.size() - seenByChampion;
    assertTrue(
        excluded - seenByChampion <= 0.03 * unseen,
        "few rows it did not see are left out: " + (excluded - seenByChampion) + " of " + unseen);
    assertTrue(
        v2.get("mlops.gate_rows_rule").startsWith(gateRows + " of " + holdout.size()),
        v2.get("mlops.gate_rows_rule"));
    assertTrue(v2.get("mlops.gate_rows_rule").contains("champion v1"));
    assertTrue(
        v2.get("mlops.gate_reason").contains(gateRows + " holdout rows neither trained on"),
        v2.get("mlops.gate_reason"));
    assertEquals(
        Double.toString((double) part(second, "model").get("championScore")),
        v2.get("mlops.champion_log_loss"));
  }

  private static String trainingDir(Map<String, Object> report) {
    return org.beammlops.transforms.lake.Lake.at(temp.resolve("lake").toString(), "flights")
        .trainingDir((String) report.get("runId"));
  }

  /** A flight's content, as the sample and the full file share it (ids differ between files). */
  private static String content(org.apache.avro.generic.GenericRecord r) {
    return r.get("date")
        + "|"
        + r.get("delay")
        + "|"
        + r.get("distance")
        + "|"
        + r.get("origin")
        + "|"
        + r.get("destination");
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
