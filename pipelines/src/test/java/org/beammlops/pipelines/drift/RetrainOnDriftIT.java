package org.beammlops.pipelines.drift;

import static org.junit.Assert.assertEquals;
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
import org.beammlops.pipelines.testing.ChampionPredictions;
import org.beammlops.pipelines.testing.EmbeddedKafka;
import org.beammlops.pipelines.testing.FlightsTestData;
import org.beammlops.pipelines.train.TrainPipeline;
import org.beammlops.pipelines.train.TrainingFixture;
import org.beammlops.transforms.tracking.LocalTrackingServer;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingConfig;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The retraining loop end to end: a drifted June makes {@code ./mlops drift --retrainOnDrift} train
 * once; the gate promotes the new version over a weak champion; the serving core then scores with
 * it. A retraining that fails is an alert, leaves the champion and the cool-down as they were, and
 * the next drift retrains; a drift within the cool-down does not; a clean June does not.
 */
public class RetrainOnDriftIT {
  private static final String MODEL = "flights-delay15";
  private static final ObjectMapper JSON = new ObjectMapper();

  @ClassRule public static final EmbeddedKafka KAFKA = new EmbeddedKafka();
  @ClassRule public static final TemporaryFolder TEMP = new TemporaryFolder();
  private static LocalTrackingServer server;
  private static Path lake;
  private static Path retrainInput;
  private static Path driftedJune;
  private static Path cleanJune;

  @BeforeClass
  public static void weakChampion() throws Exception {
    KAFKA.createTopics(1, "flights.alerts", "flights.predictions", "flights.dlq");
    server = LocalTrackingServer.start(TEMP.newFolder("mlruns").toPath());
    lake = TEMP.newFolder("lake").toPath();
    List<FlightsTestData.Flight> all = FlightsTestData.firstRows(100_000);
    // the champion: one epoch of a linear model on 3,000 rows of January to June
    List<String> few = new ArrayList<>(List.of(FlightsTestData.CSV_HEADER));
    List<String> more = new ArrayList<>(List.of(FlightsTestData.CSV_HEADER));
    for (int i = 0; i < all.size(); i++) {
      if (i % 33 == 0) {
        few.add(all.get(i).csv());
      }
      if (i % 5 == 0) {
        more.add(all.get(i).csv());
      }
    }
    Path champion = Files.write(TEMP.newFile("few.csv").toPath(), few);
    retrainInput = Files.write(TEMP.newFile("more.csv").toPath(), more);
    Map<String, Object> first =
        TrainPipeline.trainOnce(
            TrainingFixture.options(
                server.url(),
                lake,
                TrainingFixture.direct(),
                "--task=delay15",
                "--input=" + champion,
                "--learners=linear",
                "--learnerParams=linear.epochs=1"));
    assertEquals("champion", ((Map<?, ?>) first.get("model")).get("alias"));
    List<FlightsTestData.Flight> june =
        all.stream().filter(f -> f.date().startsWith("2001-06")).toList();
    cleanJune = jsonLines("june.jsonl", june);
    driftedJune = jsonLines("drifted.jsonl", DriftTestData.drifted(june));
  }

  @AfterClass
  public static void stop() throws Exception {
    server.close();
  }

  private static Path jsonLines(String name, List<FlightsTestData.Flight> flights)
      throws Exception {
    return DriftTestData.jsonLines(TEMP.newFile(name).toPath(), flights);
  }

  private static Map<String, Object> drift(Path current, String... args) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "--task=delay15",
                "--input=" + current,
                "--trackingUri=" + server.url(),
                "--bootstrapServers=" + KAFKA.bootstrapServers(),
                "--lake=" + lake,
                "--runner=DirectRunner",
                "--trackDrift=false",
                "--retrainOnDrift=true",
                "--retrainCooldown=PT1H",
                "--retrainFrom=2001-01-01",
                "--retrainTo=2001-06-30",
                "--retrainArgs=--folds=3 --trials=2 --enforceImmutability=false "
                    + TrainingFixture.SMALL_LEARNERS));
    all.addAll(List.of(args));
    Map<String, String> byName = new java.util.LinkedHashMap<>(); // a later one replaces
    all.forEach(a -> byName.put(a.substring(0, Math.max(0, a.indexOf('='))), a));
    return DriftCommand.run(
        PipelineOptionsFactory.fromArgs(byName.values().toArray(String[]::new))
            .as(DriftOptions.class));
  }

  private static Map<?, ?> retrain(Map<String, Object> report) {
    return (Map<?, ?>) report.get("retrain");
  }

  private static long champion() {
    try (TrackingClient tracking =
        TrackingClient.create(TrackingConfig.builder().trackingUri(server.url()).build())) {
      return tracking.getVersionByAlias(MODEL, "champion").orElseThrow().version();
    }
  }

  private static List<JsonNode> alerts(int expected) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r :
        KAFKA.readAll("flights.alerts", expected, Duration.ofSeconds(30))) {
      out.add(JSON.readTree(r.value()));
    }
    return out;
  }

  @Test
  public void driftRetrainsOnceTheNewChampionIsServedAndAFailureIsAnAlertOnly() throws Exception {
    // a retraining that fails: an alert; the champion and the cool-down stay
    Path empty = Files.writeString(TEMP.newFile("empty.csv").toPath(), FlightsTestData.CSV_HEADER);
    Map<String, Object> failed = drift(driftedJune, "--retrainInput=" + empty);
    System.err.println("retrain[failed]: " + failed);
    assertEquals("DRIFT", failed.get("verdict"));
    assertEquals(true, retrain(failed).get("triggered"));
    assertEquals(true, retrain(failed).get("failed"));
    assertEquals(1L, champion());
    List<JsonNode> afterFailure = alerts(2);
    assertEquals("DRIFT", afterFailure.get(0).get("alertKind").asText());
    JsonNode failure = afterFailure.get(1);
    assertEquals(RetrainOnDrift.RETRAIN_FAILED, failure.get("alertKind").asText());
    assertTrue(failure.toString(), failure.get("message").asText().contains("champion stays"));

    // the next drift retrains: one training, a new version, promoted over the weak champion
    Map<String, Object> retrained = drift(driftedJune, "--retrainInput=" + retrainInput);
    System.err.println("retrain[done]: " + retrained);
    Map<?, ?> training = (Map<?, ?>) retrain(retrained).get("training");
    assertEquals(false, retrain(retrained).get("failed"));
    assertEquals(2L, ((Number) training.get("version")).longValue());
    assertEquals(training.toString(), "champion", training.get("alias"));
    assertEquals(2L, champion());
    JsonNode done = alerts(4).get(3);
    assertEquals(RetrainOnDrift.RETRAIN, done.get("alertKind").asText());
    assertEquals("2", done.get("attributes").get("modelVersion").asText());
    assertTrue(done.get("attributes").get("trigger").asText().contains("distance"));

    // served: the serving core, asked for the champion, scores with the new version
    ChampionPredictions.publish(
        cleanJune, server.url(), KAFKA.bootstrapServers(), TEMP.newFolder("batch").toPath());
    JsonNode served =
        JSON.readTree(
            KAFKA.readAll("flights.predictions", 1, Duration.ofSeconds(30)).get(0).value());
    assertEquals("2", served.get("modelVersion").asText());

    // within the cool-down: drift again, no training
    Map<String, Object> cooling = drift(driftedJune, "--retrainInput=" + retrainInput);
    assertEquals(false, retrain(cooling).get("triggered"));
    assertTrue(
        retrain(cooling).toString(),
        retrain(cooling).get("reason").toString().contains("cool-down"));
    assertEquals(2L, champion());

    // no drift, no training
    Map<String, Object> clean = drift(cleanJune, "--retrainCooldown=PT0S");
    assertEquals("NO_DRIFT", clean.get("verdict"));
    assertEquals(false, retrain(clean).get("triggered"));
    assertEquals(5, alerts(5).size()); // the cool-down's DRIFT alert, and nothing else since
  }
}
