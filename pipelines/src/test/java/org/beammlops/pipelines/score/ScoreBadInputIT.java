package org.beammlops.pipelines.score;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.beammlops.pipelines.replay.BadMessages;
import org.beammlops.pipelines.testing.EmbeddedKafka;
import org.beammlops.pipelines.testing.TrainedModel;
import org.beammlops.pipelines.train.TrainingFixture;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.tracking.LocalTrackingServer;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Bad requests, and faults around the score pipeline: nothing is lost, nothing stops it. */
public class ScoreBadInputIT {
  @ClassRule public static final EmbeddedKafka KAFKA = new EmbeddedKafka();
  @ClassRule public static final TemporaryFolder TEMP = new TemporaryFolder();
  private static LocalTrackingServer server;

  @BeforeClass
  public static void trainAndRegister() throws Exception {
    KAFKA.createTopics(1, "flights.dlq", "flights.alerts");
    server = LocalTrackingServer.start(TEMP.newFolder("mlruns").toPath());
    TrainedModel.registerAsChampion(server.url(), "flights-delay15");
  }

  @AfterClass
  public static void stop() throws Exception {
    server.close();
  }

  @Test
  public void malformedRequestsGoToTheDlqAndEveryValidOneIsScoredOnce() throws Exception {
    KAFKA.createTopics(1, "bad-in", "bad-out");
    List<byte[]> valid = ScoringFixture.requests(1000, "v");
    BadMessages bad = new BadMessages(UseCases.load("flights"));
    List<byte[]> messages = new ArrayList<>();
    int malformed = 0;
    for (int i = 0; i < valid.size(); i++) {
      ObjectNode node = (ObjectNode) ScoringFixture.JSON.readTree(valid.get(i));
      if (i % 7 == 0) {
        node.put("origin", "ZZZ"); // a category never seen in training: scored through <oov>
      }
      if (i % 11 == 0) {
        node.put("gate", "B12"); // an unknown field: the flights schema ignores them
      }
      messages.add(node.toString().getBytes(StandardCharsets.UTF_8));
      if (i % 20 == 0) { // 5%: every malformed kind in turn
        messages.add(bad.make(BadMessages.kind(malformed++), node));
      }
    }
    messages.add(valid.get(3)); // a duplicate request id: one prediction within the window
    byte[] huge = new byte[5 << 20];
    Arrays.fill(huge, (byte) 'x');
    messages.add(huge); // 5 MB
    malformed++;
    try (KafkaProducer<String, byte[]> producer =
        ScoringFixture.producer(KAFKA.bootstrapServers())) {
      messages.forEach(m -> ScoringFixture.send(producer, "bad-in", m));
    }
    Map<String, Object> counters =
        ScoreCommand.run(
            ScoringFixture.options(
                KAFKA.bootstrapServers(),
                server.url(),
                TEMP.newFolder("lake-bad").toPath(),
                TrainingFixture.direct(),
                "--requestsTopic=bad-in",
                "--predictionsTopic=bad-out",
                "--maxRecords=" + messages.size(),
                "--pollIntervalSeconds=0"));
    List<ConsumerRecord<String, byte[]>> predictions =
        KAFKA.readAll("bad-out", valid.size(), Duration.ofSeconds(60));
    Set<String> ids = new HashSet<>();
    predictions.forEach(r -> ids.add(ScoringFixture.parse(r.value()).get("requestId").asText()));
    assertEquals("one prediction per valid request id", valid.size(), predictions.size());
    assertEquals(valid.size(), ids.size());
    List<JsonNode> dlq = new ArrayList<>();
    KAFKA
        .readAll("flights.dlq", malformed, Duration.ofSeconds(30))
        .forEach(r -> dlq.add(ScoringFixture.parse(r.value())));
    assertEquals(malformed, dlq.size());
    Set<String> kinds = new HashSet<>();
    dlq.forEach(
        d -> {
          assertTrue(d.toString(), !d.get("reason").asText().isBlank());
          kinds.add(d.get("errorType").asText());
        });
    for (BadMessages.Kind kind : BadMessages.Kind.values()) {
      assertTrue(kind + " in " + kinds, kinds.contains(kind.name()));
    }
    assertTrue(kinds.contains("RECORD_TOO_LARGE"));
    assertEquals((long) messages.size(), counters.get("read"));
    assertEquals((long) malformed, counters.get("deadLetter"));
    assertEquals(
        (long) messages.size(), (long) counters.get("valid") + (long) counters.get("deadLetter"));
  }

  @Test
  public void aModelThatDoesNotExistIsAClearErrorAtStartUp() throws Exception {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ScoreCommand.run(
                    ScoringFixture.options(
                        KAFKA.bootstrapServers(),
                        server.url(),
                        TEMP.newFolder("lake-nomodel").toPath(),
                        TrainingFixture.direct(),
                        "--model=models:/no-such-model@champion")));
    assertTrue(
        e.getMessage(), e.getMessage().contains("models:/no-such-model@champion does not exist"));
  }

  @Test
  public void aTrackingServerDownAtStartUpIsAClearError() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port;
    RuntimeException e =
        assertThrows(
            RuntimeException.class,
            () ->
                ScoreCommand.run(
                    ScoringFixture.options(
                        KAFKA.bootstrapServers(),
                        url,
                        TEMP.newFolder("lake-down").toPath(),
                        TrainingFixture.direct())));
    assertTrue(
        e.getMessage(), e.getMessage().contains(url) || String.valueOf(e.getCause()).contains(url));
  }

  private static String[] concat(String[] a, String... b) {
    List<String> all = new ArrayList<>(Arrays.asList(a));
    all.addAll(Arrays.asList(b));
    return all.toArray(String[]::new);
  }

  static Map<String, Integer> histogram(List<String> values) {
    Map<String, Integer> h = new HashMap<>();
    values.forEach(v -> h.merge(v, 1, Integer::sum));
    return h;
  }
}
