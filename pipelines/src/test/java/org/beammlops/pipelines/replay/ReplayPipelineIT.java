package org.beammlops.pipelines.replay;

import static org.beammlops.pipelines.testing.FlightsTestData.utf8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.beammlops.pipelines.testing.EmbeddedKafka;
import org.beammlops.pipelines.testing.FlightsTestData;
import org.beammlops.pipelines.testing.FlightsTestData.Flight;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.parse.RecordParser;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Replay against a real broker: order, counts, labels, exact drift and malformed shares. */
public class ReplayPipelineIT {
  private static final int ROWS = 1000;
  private static final ObjectMapper JSON = new ObjectMapper();

  @ClassRule public static final EmbeddedKafka KAFKA = new EmbeddedKafka();
  @ClassRule public static final TemporaryFolder TEMP = new TemporaryFolder();
  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private static List<Flight> flights;
  private static Path csv;

  @BeforeClass
  public static void writeData() throws Exception {
    flights = FlightsTestData.firstRows(ROWS);
    // shuffled on disk, so the replay must sort by event time itself
    List<byte[]> lines = new ArrayList<>();
    lines.add(utf8(FlightsTestData.CSV_HEADER));
    for (int i = ROWS - 1; i >= 0; i--) {
      lines.add(utf8(flights.get((i * 7919) % ROWS).csv()));
    }
    csv = FlightsTestData.writeLines(TEMP.newFile("flights.csv").toPath(), lines);
  }

  @Test
  public void publishesEveryRecordInEventTimeOrderWithLabelsLater() throws Exception {
    KAFKA.createTopics(1, "order.requests", "order.feedback");
    Map<String, Object> counters = ReplayPipeline.run(options("order", "--feedbackDelay=PT2H"));
    assertEquals(
        counters.toString(), (long) ROWS, ((Number) counters.get("published")).longValue());

    List<ConsumerRecord<String, byte[]>> requests =
        KAFKA.readAll("order.requests", ROWS, Duration.ofSeconds(60));
    assertEquals(ROWS, requests.size());
    long previous = Long.MIN_VALUE;
    Set<String> ids = new HashSet<>();
    Map<String, Long> requestTime = new HashMap<>();
    Map<String, Long> requestOffset = new HashMap<>();
    var parser = new RecordParser(UseCases.load("flights"));
    Map<String, Long> delayByContent = new HashMap<>();
    for (Flight f : flights) {
      delayByContent.put(
          f.date() + "|" + f.distance() + "|" + f.origin() + "|" + f.destination(), f.delay());
    }
    for (ConsumerRecord<String, byte[]> r : requests) {
      var record = parser.fromJson(r.value(), "t", r.offset());
      long eventTime = (Long) record.get("date");
      assertTrue("event-time order", eventTime >= previous);
      previous = eventTime;
      assertNull("requests carry no label", record.get("delay"));
      assertEquals(r.key(), record.get("id").toString());
      assertTrue(ids.add(r.key()));
      requestTime.put(r.key(), eventTime);
      requestOffset.put(r.key(), r.offset());
    }

    List<ConsumerRecord<String, byte[]>> feedback =
        KAFKA.readAll("order.feedback", ROWS, Duration.ofSeconds(60));
    assertEquals(ROWS, feedback.size());
    for (ConsumerRecord<String, byte[]> r : feedback) {
      JsonNode node = JSON.readTree(r.value());
      String id = node.get("requestId").asText();
      assertTrue("feedback for a published request", requestTime.containsKey(id));
      JsonNode labels = node.get("labels");
      double delay = labels.get("delay").asDouble();
      assertEquals(delay > 15 ? 1.0 : 0.0, labels.get("delay15").asDouble(), 0.0);
    }
    // the labels are the dataset's: compare each feedback's delay with the source row
    ConsumerRecord<String, byte[]> firstRequest = requests.get(0);
    JsonNode requestJson = JSON.readTree(firstRequest.value());
    String key =
        requestJson.get("date").asText()
            + "|"
            + requestJson.get("distance").asLong()
            + "|"
            + requestJson.get("origin").asText()
            + "|"
            + requestJson.get("destination").asText();
    JsonNode firstFeedback =
        feedback.stream()
            .map(r -> readTree(r.value()))
            .filter(n -> n.get("requestId").asText().equals(firstRequest.key()))
            .findFirst()
            .orElseThrow();
    assertNotNull(delayByContent.get(key));
    assertEquals(delayByContent.get(key), firstFeedback.get("labels").get("delay").asDouble(), 0.0);
  }

  @Test
  public void labelNoiseChangesExactlyTheAskedShareOfFeedbackLabels() throws Exception {
    KAFKA.createTopics(1, "clean.requests", "clean.feedback", "noise.requests", "noise.feedback");
    ReplayPipeline.run(options("clean"));
    Map<String, Object> counters = ReplayPipeline.run(options("noise", "--labelNoise=0.3"));
    assertEquals(300L, counters.get("noisyLabels"));
    Map<String, JsonNode> clean = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r :
        KAFKA.readAll("clean.feedback", ROWS, Duration.ofSeconds(60))) {
      clean.put(r.key(), JSON.readTree(r.value()).get("labels"));
    }
    int changed = 0;
    for (ConsumerRecord<String, byte[]> r :
        KAFKA.readAll("noise.feedback", ROWS, Duration.ofSeconds(60))) {
      JsonNode noisy = JSON.readTree(r.value()).get("labels");
      JsonNode truth = clean.get(r.key());
      double delay = truth.get("delay").asDouble();
      if (noisy.equals(truth)) {
        continue;
      }
      changed++;
      // both tasks' labels are wrong: the other class, the delay moved 30 away from 0
      assertEquals(1 - truth.get("delay15").asDouble(), noisy.get("delay15").asDouble(), 0);
      assertEquals(delay + (delay < 0 ? -30 : 30), noisy.get("delay").asDouble(), 0);
    }
    assertEquals(ROWS, clean.size());
    assertEquals(300, changed);
  }

  @Test
  public void driftChangesExactlyTheAskedShare() throws Exception {
    KAFKA.createTopics(2, "plain.requests", "plain.feedback", "drift.requests", "drift.feedback");
    ReplayPipeline.run(options("plain"));
    ReplayPipeline.run(
        options(
            "drift",
            "--drift=0.3",
            "--driftFeature=distance",
            "--driftKind=scale",
            "--driftAmount=1.5"));
    Map<String, JsonNode> plain =
        byKey(KAFKA.readAll("plain.requests", ROWS, Duration.ofSeconds(60)));
    List<ConsumerRecord<String, byte[]>> driftedRecords =
        KAFKA.readAll("drift.requests", ROWS, Duration.ofSeconds(60));
    Map<String, JsonNode> drifted = byKey(driftedRecords);
    assertEquals(ROWS, plain.size());
    assertEquals(plain.keySet(), drifted.keySet());
    int changed = 0;
    int marked = 0;
    for (String id : plain.keySet()) {
      JsonNode before = plain.get(id);
      JsonNode after = drifted.get(id);
      if (before.get("distance").asLong() != after.get("distance").asLong()) {
        changed++;
        long expected = Math.min(10000, Math.round(before.get("distance").asLong() * 1.5));
        assertEquals(expected, after.get("distance").asLong());
      }
      assertEquals("only the drift feature changes", before.get("origin"), after.get("origin"));
    }
    for (ConsumerRecord<String, byte[]> r : driftedRecords) {
      Header mark = r.headers().lastHeader(PublishInEventTimeOrder.MARK_HEADER);
      if (mark != null && new String(mark.value(), StandardCharsets.UTF_8).equals("drifted")) {
        marked++;
      }
    }
    assertEquals("exactly 30% drifted", 300, marked);
    assertEquals("and no more changed", 300, changed);
  }

  @Test
  public void mixesInTheAskedShareOfMalformedMessages() throws Exception {
    KAFKA.createTopics(1, "bad.requests", "bad.feedback");
    Map<String, Object> counters = ReplayPipeline.run(options("bad", "--badRecords=0.05"));
    assertEquals(50L, ((Number) counters.get("badRecords")).longValue());
    List<ConsumerRecord<String, byte[]>> requests =
        KAFKA.readAll("bad.requests", ROWS + 50, Duration.ofSeconds(60));
    assertEquals(ROWS + 50, requests.size());
    var parser = new RecordParser(UseCases.load("flights"));
    Set<String> kinds = new HashSet<>();
    int rejected = 0;
    for (ConsumerRecord<String, byte[]> r : requests) {
      try {
        parser.fromJson(r.value(), "t", r.offset());
      } catch (org.beammlops.transforms.deadletter.RejectedRecordException e) {
        rejected++;
        kinds.add(e.errorType().name());
        assertTrue(r.key().startsWith("bad-"));
      }
    }
    assertEquals("every malformed message is rejected by the parser", 50, rejected);
    assertEquals("all kinds are present", BadMessages.Kind.values().length, kinds.size());
  }

  @Test
  public void publishesAvroPayloadsTheParserReadsBack() throws Exception {
    KAFKA.createTopics(1, "avro.requests", "avro.feedback");
    ReplayPipeline.run(options("avro", "--payload=avro"));
    List<ConsumerRecord<String, byte[]>> requests =
        KAFKA.readAll("avro.requests", ROWS, Duration.ofSeconds(60));
    assertEquals(ROWS, requests.size());
    var parser = new RecordParser(UseCases.load("flights"));
    for (ConsumerRecord<String, byte[]> r : requests) {
      Header type = r.headers().lastHeader("content-type");
      assertEquals("application/avro", new String(type.value(), StandardCharsets.UTF_8));
      var record = parser.fromAvro(r.value(), "t", r.offset());
      assertEquals(r.key(), record.get("id").toString());
      assertNull("requests carry no label", record.get("delay"));
    }
  }

  @Test
  public void rejectsAShareOutsideZeroToOne() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ReplayPipeline.run(options("x", "--drift=1.5")));
    assertThat(e.getMessage(), containsString("--drift"));
  }

  private static JsonNode readTree(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, JsonNode> byKey(List<ConsumerRecord<String, byte[]>> records) {
    Map<String, JsonNode> out = new HashMap<>();
    records.forEach(r -> out.put(r.key(), readTree(r.value())));
    return out;
  }

  private ReplayOptions options(String prefix, String... extra) {
    List<String> args = new ArrayList<>();
    args.add("--runner=DirectRunner");
    args.add("--input=" + csv);
    args.add("--bootstrapServers=" + KAFKA.bootstrapServers());
    args.add("--requestsTopic=" + prefix + ".requests");
    args.add("--feedbackTopic=" + prefix + ".feedback");
    args.addAll(List.of(extra));
    return PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).as(ReplayOptions.class);
  }
}
