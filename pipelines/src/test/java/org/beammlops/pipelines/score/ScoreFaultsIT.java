package org.beammlops.pipelines.score;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.PipelineResult;
import org.beammlops.pipelines.Mlops;
import org.beammlops.pipelines.testing.KafkaTopics;
import org.beammlops.pipelines.testing.LocalKafkaProcess;
import org.beammlops.pipelines.testing.TrainedModel;
import org.beammlops.pipelines.train.TrainingFixture;
import org.beammlops.transforms.tracking.LocalTrackingServer;
import org.beammlops.transforms.tracking.RegisteredModelVersion;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingConfig;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Faults around a running score job, caused for real: the job's JVM killed (SIGKILL) and started
 * again, the tracking server stopped and restarted, the Kafka broker (its own process) stopped and
 * restarted. In each, every request sent ends with a prediction.
 */
public class ScoreFaultsIT {
  private static final String MODEL = "flights-delay15";
  private static final Duration PATIENCE = Duration.ofSeconds(240);

  @ClassRule public static final LocalKafkaProcess KAFKA = new LocalKafkaProcess();
  @ClassRule public static final TemporaryFolder TEMP = new TemporaryFolder();
  private static Path trackingRoot;
  private static int trackingPort;
  private static LocalTrackingServer server;

  @BeforeClass
  public static void trainAndRegister() throws Exception {
    trackingRoot = TEMP.newFolder("mlruns").toPath();
    try (ServerSocket s = new ServerSocket(0)) {
      trackingPort = s.getLocalPort();
    }
    server = LocalTrackingServer.start(trackingRoot, trackingPort);
    TrainedModel.registerAsChampion(server.url(), MODEL);
  }

  @AfterClass
  public static void stop() throws Exception {
    server.close();
  }

  @Test
  public void killedAndRestartedJobLeavesNoRequestWithoutAPrediction() throws Exception {
    KAFKA.createTopics(1, "restart-in", "restart-out");
    List<byte[]> requests = ScoringFixture.requests(3000, "k");
    List<String> args =
        List.of(
            "score",
            "--runner=DirectRunner",
            "--enforceImmutability=false",
            "--enforceEncodability=false",
            "--bootstrapServers=" + KAFKA.bootstrapServers(),
            "--trackingUri=" + trackingUri(),
            "--lake=" + TEMP.newFolder("lake-restart"),
            "--task=delay15",
            "--commitIntervalSeconds=2",
            "--requestsTopic=restart-in",
            "--predictionsTopic=restart-out",
            "--pollIntervalSeconds=0",
            "--consumerGroup=restart-group");
    Process first = startJvm(args, "first");
    send("restart-in", ScoringFixture.requests(1, "warmup-restart"), 0, new long[0]);
    assertEquals("the job scores", 1, KAFKA.readAll("restart-out", 1, PATIENCE).size());
    CompletableFuture<long[]> sending =
        CompletableFuture.supplyAsync(() -> send("restart-in", requests, 15, new long[0]));
    int beforeKill = KAFKA.readAll("restart-out", 301, PATIENCE).size() - 1;
    first.destroyForcibly().waitFor();
    assertTrue("the first job scored some before it was killed", beforeKill >= 300);
    assertFalse("requests were still arriving when it was killed", sending.isDone());
    // The second resumes from the offsets the first committed after its outputs were durable.
    Process second = startJvm(args, "second");
    try {
      sending.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      predictionsById("restart-out", "k", requests.size());
    } finally {
      second.destroyForcibly().waitFor();
    }
  }

  @Test
  public void trackingServerDownMidRunKeepsServingAndAsksAgain() throws Exception {
    KAFKA.createTopics(1, "outage-in", "outage-out");
    RegisteredModelVersion v1;
    long v2;
    try (TrackingClient tracking = tracking()) {
      v1 = tracking.getVersionByAlias(MODEL, "champion").orElseThrow();
      v2 = tracking.createModelVersion(MODEL, v1.source(), v1.runId(), Map.of()).version();
    }
    PipelineResult job = startScoring("outage", "--pollIntervalSeconds=1");
    List<byte[]> requests = ScoringFixture.requests(2500, "t");
    long[] at =
        send(
            "outage-in",
            requests,
            10,
            new long[] {5_000, 20_000},
            () -> server.close(),
            () -> {
              server = LocalTrackingServer.start(trackingRoot, trackingPort);
              try (TrackingClient tracking = tracking()) {
                tracking.setAlias(MODEL, "champion", v2);
              }
            });
    Map<String, JsonNode> byId = predictionsById("outage-out", "t", requests.size());
    Map<String, Object> counters = ScoreCommand.stop(job);
    assertTrue("the server went down and came back: " + Arrays.toString(at), at[1] > at[0]);
    long v1WhileDown =
        byId.values().stream()
            .filter(p -> millis(p) >= at[0] && millis(p) < at[1])
            .filter(p -> p.get("modelVersion").asText().equals(Long.toString(v1.version())))
            .count();
    assertTrue("v1 kept serving while the server was down: " + v1WhileDown, v1WhileDown > 100);
    long v2AfterRestart =
        byId.values().stream()
            .filter(p -> p.get("modelVersion").asText().equals(Long.toString(v2)))
            .filter(p -> millis(p) >= at[1])
            .count();
    assertTrue(
        "the registry was asked again once back: v2, promoted after the restart, served",
        v2AfterRestart > 0);
    assertEquals(0L, counters.get("deadLetter"));
  }

  @Test
  public void brokerRestartedMidStreamResumesAndLosesNothing() throws Exception {
    KAFKA.createTopics(1, "broker-in", "broker-out");
    PipelineResult job = startScoring("broker", "--pollIntervalSeconds=0");
    List<byte[]> requests = ScoringFixture.requests(2500, "b");
    // While the broker is away the sender's flush waits; the rest is sent once it is back.
    long[] at =
        send(
            "broker-in",
            requests,
            10,
            new long[] {6_000, 6_000},
            KAFKA::stop,
            () -> {
              Thread.sleep(10_000);
              KAFKA.start();
            });
    Map<String, JsonNode> byId = predictionsById("broker-out", "b", requests.size());
    Map<String, Object> counters = ScoreCommand.stop(job);
    assertTrue("the broker was down 10 s mid-stream", at[1] - at[0] >= 10_000);
    assertTrue("scored after the restart", byId.values().stream().anyMatch(p -> millis(p) > at[1]));
    assertEquals(0L, counters.get("deadLetter"));
  }

  /**
   * Starts a streaming score job (DirectRunner, in this JVM) on topics {@code <name>-in/-out} and
   * returns it once it has scored a first request.
   */
  private PipelineResult startScoring(String name, String... args) throws Exception {
    String in = name + "-in";
    String out = name + "-out";
    List<String> all =
        new ArrayList<>(
            List.of(
                "--requestsTopic=" + in,
                "--predictionsTopic=" + out,
                "--consumerGroup=" + name + "-group",
                "--blockOnRun=false"));
    all.addAll(Arrays.asList(args));
    PipelineResult job =
        ScoreCommand.start(
            ScoringFixture.options(
                KAFKA.bootstrapServers(),
                trackingUri(),
                TEMP.newFolder("lake-" + name).toPath(),
                TrainingFixture.direct(),
                all.toArray(String[]::new)));
    send(in, ScoringFixture.requests(1, "warmup-" + name), 0, new long[0]);
    assertEquals("the job scores", 1, KAFKA.readAll(out, 1, PATIENCE).size());
    return job;
  }

  /** The score command in a JVM of its own, which the test can kill. */
  private static Process startJvm(List<String> args, String name) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Xmx1g",
            "-Dai.djl.offline=true",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            Mlops.class.getName()));
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(TEMP.getRoot().toPath().resolve("score-" + name + ".log").toFile());
    builder.environment().put("OPT_OUT_TRACKING", "true");
    return builder.start();
  }

  private static long[] send(
      String topic,
      List<byte[]> requests,
      long pauseMillis,
      long[] at,
      ScoringFixture.Step... steps) {
    try {
      return ScoringFixture.sendSteadily(
          KAFKA.bootstrapServers(), topic, requests, pauseMillis, at, steps);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Waits until requests {@code <prefix>-0..n-1} all have a prediction (at least once: a restart
   * may score some twice) and returns the last prediction of each.
   */
  private static Map<String, JsonNode> predictionsById(String topic, String prefix, int n) {
    Map<String, JsonNode> byId = new HashMap<>();
    int[] parsed = {0};
    KafkaTopics.readUntil(
        KAFKA.bootstrapServers(),
        topic,
        records -> {
          for (; parsed[0] < records.size(); parsed[0]++) {
            JsonNode p = ScoringFixture.parse(records.get(parsed[0]).value());
            byId.put(p.get("requestId").asText(), p);
          }
          return missing(byId, prefix, n).isEmpty();
        },
        PATIENCE);
    TreeSet<Integer> missing = missing(byId, prefix, n);
    assertEquals(
        "requests without a prediction (of "
            + n
            + "): "
            + (missing.isEmpty() ? "" : missing.first() + ".." + missing.last()),
        0,
        missing.size());
    return byId;
  }

  private static TreeSet<Integer> missing(Map<String, JsonNode> byId, String prefix, int n) {
    TreeSet<Integer> missing = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      if (!byId.containsKey(prefix + "-" + i)) {
        missing.add(i);
      }
    }
    return missing;
  }

  private static long millis(JsonNode prediction) {
    return Instant.parse(prediction.get("scoredAt").asText()).toEpochMilli();
  }

  private static String trackingUri() {
    return "http://127.0.0.1:" + trackingPort;
  }

  private static TrackingClient tracking() {
    return TrackingClient.create(TrackingConfig.builder().trackingUri(trackingUri()).build());
  }
}
