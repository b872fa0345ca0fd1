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
import org.beammlops.pipelines.testing.KafkaTopics;
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
    messages.add(withLongId(valid.get(5))); // ID_TOO_LONG
    messages.add(withControlCharacters(valid.get(6))); // MALFORMED_JSON, 200 KB of control chars
    malformed += 2;
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
    List<ConsumerRecord<String, byte[]>> deadLetters =
        deadLettersOf("bad-in", malformed, Duration.ofSeconds(30));
    deadLetters.forEach(r -> dlq.add(ScoringFixture.parse(r.value())));
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
    assertTrue(kinds.contains("ID_TOO_LONG"));
    deadLetters.forEach(
        r ->
            assertTrue(
                "a dead letter fits the topic: " + r.value().length,
                r.value().length <= org.beammlops.schemas.usecase.Topics.MAX_MESSAGE_BYTES));
    assertEquals((long) messages.size(), counters.get("read"));
    assertEquals((long) malformed, counters.get("deadLetter"));
    assertEquals(
        (long) messages.size(), (long) counters.get("valid") + (long) counters.get("deadLetter"));
  }

  /** A request whose id is 600 KB: its prediction alone would be 1.2 MB, over Kafka's limit. */
  static byte[] withLongId(byte[] request) throws Exception {
    ObjectNode node = (ObjectNode) ScoringFixture.JSON.readTree(request);
    node.put("id", "x".repeat(600 * 1024));
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A request with 200 KB of raw control characters in a field: malformed JSON, whose dead letter
   * used to overflow the topic once its text was JSON-escaped (six characters each).
   */
  static byte[] withControlCharacters(byte[] request) {
    String controls = new String(new char[200 * 1024]).replace('\0', '\u0001');
    return new String(request, StandardCharsets.UTF_8)
        .replaceFirst("\"origin\":\"[A-Z]+\"", "\"origin\":\"" + controls + "\"")
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The two hostile requests on a stream, each followed by a valid one, on the FlinkRunner with
   * checkpoints (where offsets are committed once a checkpoint holds the outputs): the job lives,
   * both are dead letters that fit the dead-letter topic, the valid ones are scored; a second job
   * of the same group starts from the committed offsets without dying or scoring anything again,
   * and scores what is sent next.
   */
  @Test
  public void hostileRequestsAreDeadLettersThatFitAndARestartNeitherDiesNorRescores()
      throws Exception {
    KAFKA.createTopics(1, "hostile-in", "hostile-out");
    List<byte[]> valid = ScoringFixture.requests(4, "h");
    List<byte[]> messages =
        List.of(
            withLongId(valid.get(0)),
            valid.get(0),
            withControlCharacters(valid.get(1)),
            valid.get(1),
            valid.get(2));
    try (KafkaProducer<String, byte[]> producer =
        ScoringFixture.producer(KAFKA.bootstrapServers())) {
      messages.forEach(m -> ScoringFixture.send(producer, "hostile-in", m));
    }
    String[] flink = {
      "--runner=FlinkRunner",
      "--flinkMaster=[local]",
      "--parallelism=1",
      "--streaming=true",
      "--checkpointingInterval=1000",
      "--attachedMode=false",
      "--requestsTopic=hostile-in",
      "--predictionsTopic=hostile-out",
      "--consumerGroup=hostile",
      "--pollIntervalSeconds=0"
    };
    org.apache.beam.sdk.PipelineResult first =
        ScoreCommand.start(
            ScoringFixture.options(
                KAFKA.bootstrapServers(),
                server.url(),
                TEMP.newFolder("lake-hostile").toPath(),
                flink));
    List<ConsumerRecord<String, byte[]>> predictions =
        KAFKA.readAll("hostile-out", 3, Duration.ofSeconds(180));
    // The dead-letter topic is shared with the other tests of this class: keep this test's own.
    List<ConsumerRecord<String, byte[]>> dlq =
        deadLettersOf("hostile-in", 2, Duration.ofSeconds(60));
    GroupOffsets offsets = new GroupOffsets(KAFKA.bootstrapServers(), "hostile-in", "hostile");
    long deadline = System.currentTimeMillis() + 60_000;
    while (offsets.unread(offsets.positions(), 0) > 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(200); // committed once a checkpoint holds the outputs
    }
    assertEquals("every message committed", 0, offsets.unread(offsets.positions(), 0));
    assertTrue("the job lives", !first.getState().isTerminal());
    first.cancel();

    assertEquals(List.of("h-0", "h-1", "h-2"), requestIds(predictions));
    Set<String> kinds = new HashSet<>();
    for (ConsumerRecord<String, byte[]> d : dlq) {
      assertTrue(
          "a dead letter fits the topic: " + d.value().length,
          d.value().length + (d.key() == null ? 0 : d.key().length())
              <= org.beammlops.schemas.usecase.Topics.MAX_MESSAGE_BYTES);
      kinds.add(ScoringFixture.parse(d.value()).get("errorType").asText());
    }
    assertEquals(Set.of("ID_TOO_LONG", "MALFORMED_JSON"), kinds);

    // The same group again, from its committed offsets: it scores what is sent now, and only that.
    org.apache.beam.sdk.PipelineResult second =
        ScoreCommand.start(
            ScoringFixture.options(
                KAFKA.bootstrapServers(),
                server.url(),
                TEMP.newFolder("lake-hostile-again").toPath(),
                flink));
    try (KafkaProducer<String, byte[]> producer =
        ScoringFixture.producer(KAFKA.bootstrapServers())) {
      ScoringFixture.send(producer, "hostile-in", valid.get(3));
    }
    List<ConsumerRecord<String, byte[]>> all =
        KAFKA.readAll("hostile-out", 4, Duration.ofSeconds(180));
    assertTrue("the second job lives", !second.getState().isTerminal());
    second.cancel();
    assertEquals(List.of("h-0", "h-1", "h-2", "h-3"), requestIds(all));
    assertEquals(
        "no dead letter twice", 2, deadLettersOf("hostile-in", 3, Duration.ofSeconds(5)).size());
  }

  /**
   * The dead letters of messages read from {@code topic}: the dead-letter topic is shared by the
   * tests of this class. Waits for {@code expected} of them at most {@code timeout}, then once
   * more, so that any extra one shows.
   */
  private static List<ConsumerRecord<String, byte[]>> deadLettersOf(
      String topic, int expected, Duration timeout) {
    return KafkaTopics.readUntil(
            KAFKA.bootstrapServers(),
            "flights.dlq",
            records -> records.stream().filter(r -> from(r, topic)).count() >= expected,
            timeout)
        .stream()
        .filter(r -> from(r, topic))
        .toList();
  }

  private static boolean from(ConsumerRecord<String, byte[]> deadLetter, String topic) {
    return ScoringFixture.parse(deadLetter.value()).get("source").asText().startsWith(topic);
  }

  private static List<String> requestIds(List<ConsumerRecord<String, byte[]>> predictions) {
    List<String> ids = new ArrayList<>();
    predictions.forEach(r -> ids.add(ScoringFixture.parse(r.value()).get("requestId").asText()));
    ids.sort(null);
    return ids;
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
