package org.beammlops.pipelines.score;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.PipelineResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.beammlops.pipelines.testing.EmbeddedKafka;
import org.beammlops.pipelines.testing.TrainedModel;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.features.FeatureSpec;
import org.beammlops.transforms.features.FitOptions;
import org.beammlops.transforms.inference.WatchModelRegistry;
import org.beammlops.transforms.parse.RecordParser;
import org.beammlops.transforms.tracking.LocalTrackingServer;
import org.beammlops.transforms.tracking.RegisteredModelVersion;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingConfig;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * Hot swap on a continuous stream: version 2 is promoted mid-stream and served without a lost or
 * doubled request and never followed by version 1; then a corrupt version 3 and a version 4 whose
 * feature spec does not fit its graph are promoted, refused, and version 2 keeps serving.
 */
@RunWith(Parameterized.class)
public class ScoreHotSwapIT {
  private static final String MODEL = "swap";
  private static final int POLL_SECONDS = 1;

  @ClassRule public static final EmbeddedKafka KAFKA = new EmbeddedKafka();
  @ClassRule public static final TemporaryFolder TEMP = new TemporaryFolder();
  private static LocalTrackingServer server;
  private static TrackingClient tracking;

  @Parameterized.Parameters(name = "{0}")
  public static Collection<Object[]> runners() {
    return Arrays.asList(
        // Both stream an unbounded read and are stopped once every request has its prediction
        // (the DirectRunner would read a time-limited Kafka read as a bounded source: all of it,
        // then the rest of the pipeline).
        new Object[] {"direct", ScoringFixture.directUnbounded(1)},
        new Object[] {
          "flink",
          new String[] {
            "--runner=FlinkRunner",
            "--flinkMaster=[local]",
            "--parallelism=1",
            "--streaming=true",
            // Detached: run() returns with the job running, and the test stops it once every
            // request has its prediction (a time-limited read kept it running 100 s).
            "--attachedMode=false"
          }
        });
  }

  private final String name;
  private final String[] runner;

  public ScoreHotSwapIT(String name, String[] runner) {
    this.name = name;
    this.runner = runner;
  }

  @BeforeClass
  public static void start() throws Exception {
    KAFKA.createTopics(1, "flights.dlq", "flights.alerts");
    server = LocalTrackingServer.start(TEMP.newFolder("mlruns").toPath());
    tracking = TrackingClient.create(TrackingConfig.builder().trackingUri(server.url()).build());
  }

  @AfterClass
  public static void stop() throws Exception {
    tracking.close();
    server.close();
  }

  @Test
  public void promotedVersionIsSwappedInAndBrokenOnesAreRefused() throws Exception {
    String model = MODEL + "-" + name;
    String in = "swap-requests-" + name;
    String out = "swap-predictions-" + name;
    KAFKA.createTopics(1, in, out);
    TrainedModel.registerAsChampion(server.url(), model);
    RegisteredModelVersion v1 = tracking.getVersionByAlias(model, "champion").orElseThrow();
    long v2 = tracking.createModelVersion(model, v1.source(), v1.runId(), Map.of()).version();
    long v3 =
        registerBroken(
            model,
            "corrupt",
            dir -> Files.write(dir.resolve("model.onnx"), new byte[] {1, 2, 3, 4}));
    long v4 = registerBroken(model, "wrong-shape", ScoreHotSwapIT::widenFeatureSpec);

    List<byte[]> requests = ScoringFixture.requests(4000, "s");
    // v2 is v1's model directory registered again: both must give the offline predictions.
    Map<String, Double> offline =
        ScoringFixture.offline(
            server.url(),
            WatchModelRegistry.resolve(server.url(), "models:/" + model + "/1"),
            requests);
    Path lake = TEMP.newFolder("lake-" + name).toPath();
    // refused versions raise alerts through the alert webhook: a receiver in the test
    List<JsonNode> webhookAlerts = java.util.Collections.synchronizedList(new ArrayList<>());
    com.sun.net.httpserver.HttpServer webhook =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    webhook.createContext(
        "/alerts",
        exchange -> {
          webhookAlerts.add(ScoringFixture.parse(exchange.getRequestBody().readAllBytes()));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    webhook.start();
    ScoreOptions options =
        ScoringFixture.options(
            KAFKA.bootstrapServers(),
            server.url(),
            lake,
            runner,
            "--model=models:/" + model + "@champion",
            "--requestsTopic=" + in,
            "--predictionsTopic=" + out,
            "--pollIntervalSeconds=" + POLL_SECONDS,
            "--maxBatchSize=64",
            "--alertWebhook=http://127.0.0.1:" + webhook.getAddress().getPort() + "/alerts");
    // Both return at once, running.
    CompletableFuture<PipelineResult> job =
        CompletableFuture.supplyAsync(() -> ScoreCommand.start(options));

    // Promote only once the job is scoring: runners take a while to start.
    long[] promotedAt = new long[5];
    int sent = 0;
    CompletableFuture<Void> firstPrediction =
        CompletableFuture.runAsync(() -> KAFKA.readAll(out, 1, Duration.ofSeconds(120)));
    try (KafkaProducer<String, byte[]> producer =
        ScoringFixture.producer(KAFKA.bootstrapServers())) {
      long begin = 0;
      while (sent < requests.size()
          && (begin == 0 || System.currentTimeMillis() - begin < 30_000)) {
        if (begin == 0 && firstPrediction.isDone()) {
          begin = System.currentTimeMillis();
        }
        long t = begin == 0 ? -1 : System.currentTimeMillis() - begin;
        if (t > 5_000 && promotedAt[2] == 0) {
          tracking.setAlias(model, "champion", v2);
          promotedAt[2] = System.currentTimeMillis();
        } else if (t > 13_000 && promotedAt[3] == 0) {
          tracking.setAlias(model, "champion", v3);
          promotedAt[3] = System.currentTimeMillis();
        } else if (t > 21_000 && promotedAt[4] == 0) {
          tracking.setAlias(model, "champion", v4);
          promotedAt[4] = System.currentTimeMillis();
        }
        ScoringFixture.send(producer, in, requests.get(sent++));
        producer.flush();
        Thread.sleep(10);
      }
    }
    List<ConsumerRecord<String, byte[]>> predictions =
        KAFKA.readAll(out, sent, Duration.ofSeconds(240));
    Map<String, Object> counters = ScoreCommand.stop(job.get(300, TimeUnit.SECONDS));
    Map<Integer, JsonNode> bySeq = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : predictions) {
      JsonNode p = ScoringFixture.parse(r.value());
      int seq = Integer.parseInt(p.get("requestId").asText().substring(2));
      assertTrue("scored once: " + seq, bySeq.put(seq, p) == null);
      String id = p.get("requestId").asText();
      assertEquals(id, offline.get(id), p.get("prediction").asDouble(), 1e-6);
    }
    assertEquals("every request scored exactly once", sent, bySeq.size());
    // In request order: v1 then v2, never v1 after v2, never the refused versions.
    List<String> versions = new ArrayList<>();
    for (int i = 0; i < sent; i++) {
      versions.add(bySeq.get(i).get("modelVersion").asText());
    }
    int firstV2 = versions.indexOf(Long.toString(v2));
    List<String> eventLog =
        KAFKA.readAll("flights.alerts", 100, Duration.ofSeconds(3)).stream()
            .map(r -> new String(r.value(), java.nio.charset.StandardCharsets.UTF_8))
            .toList();
    String story =
        "versions by request: "
            + java.util.stream.IntStream.range(0, sent)
                .filter(i -> i == 0 || !versions.get(i).equals(versions.get(i - 1)))
                .mapToObj(
                    i -> i + ":" + versions.get(i) + "@" + bySeq.get(i).get("scoredAt").asText())
                .toList()
            + " promoted at "
            + Arrays.toString(promotedAt)
            + " events "
            + eventLog;
    assertTrue("v2 was served; " + story, firstV2 > 0);
    assertEquals(Long.toString(v1.version()), versions.get(0));
    assertFalse(
        "v1 never after v2", versions.subList(firstV2, sent).contains(Long.toString(v1.version())));
    assertTrue(versions.stream().allMatch(v -> v.equals("1") || v.equals(Long.toString(v2))));
    long switchedAt =
        bySeq.values().stream()
            .filter(p -> p.get("modelVersion").asText().equals(Long.toString(v2)))
            .map(p -> java.time.Instant.parse(p.get("scoredAt").asText()).toEpochMilli())
            .min(Comparator.naturalOrder())
            .orElseThrow();
    long switchMillis = switchedAt - promotedAt[2];
    assertTrue(
        "switch within poll interval + load time: " + switchMillis + " ms",
        switchMillis < POLL_SECONDS * 1000 + 8000);
    assertEquals(0L, counters.get("deadLetter"));

    // Model events: the swap, and each refusal with its reason.
    List<JsonNode> events =
        KAFKA.readAll("flights.alerts", 100, Duration.ofSeconds(5)).stream()
            .map(r -> ScoringFixture.parse(r.value()))
            .filter(e -> e.get("modelName").asText().equals(model))
            .toList();
    assertTrue(
        events.toString(),
        events.stream()
            .anyMatch(
                e ->
                    e.get("type").asText().equals("SWAPPED")
                        && e.get("modelVersion").asText().equals(Long.toString(v2))));
    JsonNode refused3 =
        events.stream()
            .filter(
                e ->
                    e.get("type").asText().equals("REFUSED")
                        && e.get("modelVersion").asText().equals(Long.toString(v3)))
            .findFirst()
            .orElseThrow(() -> new AssertionError("v3 refused: " + events));
    JsonNode refused4 =
        events.stream()
            .filter(
                e ->
                    e.get("type").asText().equals("REFUSED")
                        && e.get("modelVersion").asText().equals(Long.toString(v4)))
            .findFirst()
            .orElseThrow(() -> new AssertionError("v4 refused: " + events));
    assertTrue(
        refused3.get("reason").asText(),
        refused3.get("reason").asText().contains("still serving " + model + "/v" + v2));
    assertTrue(
        refused4.get("reason").asText(), refused4.get("reason").asText().contains("features"));

    // ... and each refusal reached the webhook as a CRITICAL alert
    webhook.stop(0);
    List<String> refusedByWebhook =
        webhookAlerts.stream()
            .map(a -> a.get("alert"))
            .filter(a -> a.get("alertKind").asText().equals("MODEL_REFUSED"))
            .map(
                a ->
                    a.get("severity").asText()
                        + " v"
                        + a.get("attributes").get("modelVersion").asText())
            .distinct()
            .sorted()
            .toList();
    assertEquals(
        webhookAlerts.toString(), List.of("CRITICAL v" + v3, "CRITICAL v" + v4), refusedByWebhook);
  }

  interface DirEdit {
    void apply(Path dir) throws Exception;
  }

  /** Registers a copy of the champion's model directory, broken by {@code edit}. */
  private static long registerBroken(String model, String what, DirEdit edit) throws Exception {
    Path copy =
        TrainedModel.copyOfModel(server.url(), model, TEMP.newFolder(model + "-" + what).toPath());
    edit.apply(copy);
    return TrainedModel.registerModelDir(server.url(), model, copy);
  }

  /** A feature spec fitted with every category kept: wider than the graph's input. */
  private static void widenFeatureSpec(Path dir) throws Exception {
    FeatureSpec old = FeatureSpec.fromJson(Files.readString(dir.resolve("feature_spec.json")));
    RecordParser parser = new RecordParser(UseCases.load("flights"));
    List<GenericRecord> records = new ArrayList<>();
    List<byte[]> rows = ScoringFixture.requests(20_000, "w");
    for (int i = 0; i < rows.size(); i++) {
      records.add(parser.fromJson(rows.get(i), "w", i));
    }
    FeatureSpec wide =
        FeatureSpec.fit(
            UseCases.load("flights"), FitOptions.defaults().withDefaultMinCount(1), records);
    assertTrue("the new spec is wider", wide.width() != old.width());
    Files.writeString(dir.resolve("feature_spec.json"), wide.toJson());
  }
}
