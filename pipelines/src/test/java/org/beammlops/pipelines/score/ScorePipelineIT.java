package org.beammlops.pipelines.score;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.PipelineResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.beammlops.pipelines.testing.EmbeddedKafka;
import org.beammlops.pipelines.testing.TrainedModel;
import org.beammlops.transforms.inference.ModelRef;
import org.beammlops.transforms.inference.WatchModelRegistry;
import org.beammlops.transforms.tracking.LocalTrackingServer;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * The streaming score pipeline against a real broker, the real tracking server and a model the
 * training pipeline registered: every request gets exactly one prediction, equal to the model's
 * offline prediction of the same row.
 */
@RunWith(Parameterized.class)
public class ScorePipelineIT {
  static final int REQUESTS = Integer.getInteger("mlops.test.scoreRequests", 20_000);

  @ClassRule public static final EmbeddedKafka KAFKA = new EmbeddedKafka();
  @ClassRule public static final TemporaryFolder TEMP = new TemporaryFolder();
  private static LocalTrackingServer server;
  private static ModelRef champion;
  private static List<byte[]> requests;
  private static Map<String, Double> offline;

  @Parameterized.Parameters(name = "{0}")
  public static Collection<Object[]> runners() {
    return Arrays.asList(
        // Both stream an unbounded read. The DirectRunner would run a count-limited Kafka read as
        // a bounded source (all of it, then the rest of the pipeline), so its job is started, left
        // running and stopped once every request has its prediction. Flink [local] streams the
        // count-limited read and its job ends by itself.
        new Object[] {"direct", ScoringFixture.directUnbounded(2)},
        new Object[] {
          "flink",
          new String[] {
            "--runner=FlinkRunner",
            "--flinkMaster=[local]",
            "--parallelism=2",
            "--streaming=true",
            "--maxRecords=" + REQUESTS
          }
        });
  }

  private final String name;
  private final String[] runner;

  public ScorePipelineIT(String name, String[] runner) {
    this.name = name;
    this.runner = runner;
  }

  @BeforeClass
  public static void trainAndRegister() throws Exception {
    KAFKA.createTopics(2, "flights.dlq", "flights.alerts");
    server = LocalTrackingServer.start(TEMP.newFolder("mlruns").toPath());
    TrainedModel.registerAsChampion(server.url(), "flights-delay15");
    champion = WatchModelRegistry.resolve(server.url(), "models:/flights-delay15@champion");
    requests = ScoringFixture.requests(REQUESTS, "r");
    offline = ScoringFixture.offline(server.url(), champion, requests);
  }

  @AfterClass
  public static void stop() throws Exception {
    server.close();
  }

  @Test
  public void everyRequestGetsExactlyOnePredictionEqualToTheOfflineOne() throws Exception {
    String in = "requests-" + name;
    String out = "predictions-" + name;
    // One partition: a count-limited read splits the count evenly over partitions, and a
    // partition holding fewer records than its share would be waited on forever.
    KAFKA.createTopics(1, in);
    KAFKA.createTopics(2, out);
    try (KafkaProducer<String, byte[]> producer =
        ScoringFixture.producer(KAFKA.bootstrapServers())) {
      requests.forEach(r -> ScoringFixture.send(producer, in, r));
    }
    Path lake = TEMP.newFolder("lake-" + name).toPath();
    ScoreOptions options =
        ScoringFixture.options(
            KAFKA.bootstrapServers(),
            server.url(),
            lake,
            runner,
            "--requestsTopic=" + in,
            "--predictionsTopic=" + out,
            "--pollIntervalSeconds=0",
            "--maxBatchSize=512");
    // Flink's job returns when its read has ended; the DirectRunner's at once, running.
    CompletableFuture<PipelineResult> job =
        CompletableFuture.supplyAsync(() -> ScoreCommand.start(options));
    long t0 = System.currentTimeMillis();
    List<ConsumerRecord<String, byte[]>> predictions =
        KAFKA.readAll(out, REQUESTS, Duration.ofSeconds(60 + REQUESTS / 50));
    System.err.printf(
        "score[%s]: %d predictions read %d ms after the job was started%n",
        name, predictions.size(), System.currentTimeMillis() - t0);
    Map<String, Object> counters = ScoreCommand.stop(job.get(300, TimeUnit.SECONDS));
    assertEquals(REQUESTS, predictions.size());
    Map<String, Double> seen = new HashMap<>();
    for (ConsumerRecord<String, byte[]> record : predictions) {
      JsonNode p = ScoringFixture.parse(record.value());
      String id = p.get("requestId").asText();
      assertTrue(
          "one prediction per request: " + id,
          seen.put(id, p.get("prediction").asDouble()) == null);
      assertEquals("1", p.get("modelVersion").asText());
      assertEquals("flights-delay15", p.get("modelName").asText());
    }
    assertEquals(offline.keySet(), seen.keySet());
    for (Map.Entry<String, Double> e : offline.entrySet()) {
      assertEquals(e.getKey(), e.getValue(), seen.get(e.getKey()), 1e-6);
    }
    assertEquals((long) REQUESTS, counters.get("predictions"));
    assertEquals(0L, counters.get("deadLetter"));
  }
}
