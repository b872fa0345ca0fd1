package org.beammlops.pipelines.score;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.beammlops.pipelines.testing.EmbeddedKafka;
import org.beammlops.pipelines.train.TrainingFixture;
import org.beammlops.transforms.tracking.LocalTrackingServer;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Kill the scoring job mid-stream and start it again: no request without a prediction. Work in
 * progress (issue 5): the second job must wait for the producer to finish before it stops.
 */
public class ScoreRestartTest {
  @ClassRule public static final EmbeddedKafka KAFKA = new EmbeddedKafka();
  @ClassRule public static final TemporaryFolder TEMP = new TemporaryFolder();
  private static LocalTrackingServer server;

  @BeforeClass
  public static void trainAndRegister() throws Exception {
    KAFKA.createTopics(1, "flights.dlq", "flights.alerts");
    server = LocalTrackingServer.start(TEMP.newFolder("mlruns").toPath());
    ScoringFixture.trainModel(
        server.url(), TEMP.newFolder("train-lake").toPath(), "flights-delay15");
  }

  @AfterClass
  public static void stop() throws Exception {
    server.close();
  }

  @Test
  public void killedAndRestartedJobLeavesNoRequestWithoutAPrediction() throws Exception {
    KAFKA.createTopics(1, "restart-in", "restart-out");
    List<byte[]> requests = ScoringFixture.requests(3000, "k");
    Path lake = TEMP.newFolder("lake-restart").toPath();
    String[] args = {
      "--requestsTopic=restart-in",
      "--predictionsTopic=restart-out",
      "--pollIntervalSeconds=0",
      "--consumerGroup=restart-group"
    };
    CompletableFuture<Void> producing =
        CompletableFuture.runAsync(
            () -> {
              try (KafkaProducer<String, byte[]> producer =
                  ScoringFixture.producer(KAFKA.bootstrapServers())) {
                for (byte[] r : requests) {
                  ScoringFixture.send(producer, "restart-in", r);
                  producer.flush();
                  Thread.sleep(15);
                }
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    // The first job is stopped (cancelled) mid-stream, the second picks up from its commits.
    ScorePipeline.run(
        ScoringFixture.options(
            KAFKA.bootstrapServers(),
            server.url(),
            lake,
            TrainingFixture.direct(),
            concat(args, "--blockOnRun=false", "--runSeconds=30")));
    int afterFirst = KAFKA.readAll("restart-out", 1, Duration.ofSeconds(5)).size();
    ScorePipeline.run(
        ScoringFixture.options(
            KAFKA.bootstrapServers(),
            server.url(),
            lake,
            TrainingFixture.direct(),
            concat(args, "--blockOnRun=false", "--runSeconds=60")));
    producing.get(60, TimeUnit.SECONDS);
    Set<String> ids = new HashSet<>();
    KAFKA
        .readAll("restart-out", requests.size(), Duration.ofSeconds(30))
        .forEach(r -> ids.add(ScoringFixture.parse(r.value()).get("requestId").asText()));
    assertTrue("the first job scored some before it was stopped", afterFirst > 0);
    Set<String> missing = new HashSet<>();
    for (int i = 0; i < requests.size(); i++) {
      if (!ids.contains("k-" + i)) {
        missing.add("k-" + i);
      }
    }
    assertEquals("requests without a prediction: " + missing, 0, missing.size());
  }

  private static String[] concat(String[] a, String... b) {
    List<String> all = new ArrayList<>(Arrays.asList(a));
    all.addAll(Arrays.asList(b));
    return all.toArray(String[]::new);
  }
}
