package org.beammlops.local.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.beammlops.local.CommandResult;
import org.beammlops.local.LocalStackCommand;
import org.beammlops.local.ServiceStatus;
import org.beammlops.local.TrackingServer;
import org.beammlops.local.TrackingSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.tracking.MlflowClient;
import org.yaml.snakeyaml.Yaml;

/**
 * The tracking server as {@code ./mlops local} runs it: its own JVM, started, reported and stopped
 * through {@link LocalStackCommand}; data kept across down and up; and a consistent store after the
 * process is killed (SIGKILL) in the middle of writes. Steps depend on each other, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrackingProcessIT {
  @TempDir static Path home;
  static int port;
  static String url;
  static String experimentId;
  static String runId;

  @BeforeAll
  static void classpath() throws IOException {
    // Under Surefire java.class.path is a manifest-only jar; the server JVM needs the real one.
    System.setProperty(
        "mlops.local.classpath",
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    url = "http://127.0.0.1:" + port;
  }

  @AfterAll
  static void stopServer() {
    run("down", "tracking");
  }

  @Test
  @Order(1)
  void upStartsTheServerInItsOwnJvm() throws IOException {
    CommandResult up = run("up", "tracking");

    assertEquals(0, up.code(), up.toString());
    List<String> lines = up.out().lines().toList();
    assertTrue(lines.get(0).startsWith("tracking: started pid="), up.out());
    assertEquals("tracking: url=" + url, lines.get(lines.size() - 1));
    long pid = server().pid().orElseThrow();
    assertNotEquals(ProcessHandle.current().pid(), pid);
    assertEquals(
        List.of(
            "# Written by ./mlops local: how to reach the running local stack.",
            "MLFLOW_TRACKING_URI=" + url),
        Files.readAllLines(home.resolve("local.env")));
    CommandResult status = run("status");
    assertTrue(
        status
            .out()
            .lines()
            .toList()
            .contains(
                "tracking: running pid="
                    + pid
                    + " url="
                    + url
                    + " store="
                    + home.resolve("tracking/mlruns").toAbsolutePath().normalize()),
        status.out());
    assertTrue(status.out().lines().toList().contains("kafka: stopped"), status.out());

    CommandResult again = run("up", "tracking");
    assertEquals(0, again.code(), again.toString());
    assertTrue(
        again.out().startsWith("tracking: already running pid=" + pid + " url=" + url),
        again.out());
  }

  @Test
  @Order(2)
  void everythingSurvivesDownAndUp() throws Exception {
    try (MlflowClient client = new MlflowClient(url)) {
      experimentId = client.createExperiment("survivor");
      runId = client.createRun(experimentId).getRunId();
      for (int step = 0; step < 5; step++) {
        client.logMetric(runId, "loss", 1.0 / (step + 1), 1000 + step, step);
      }
      client.logParam(runId, "lr", "0.1");
      client.setTag(runId, "team", "ml");
    }
    TrackingHttp http = new TrackingHttp(url + "/api/2.0/mlflow");
    TrackingHttp artifacts = new TrackingHttp(url + "/api/2.0/mlflow-artifacts/artifacts");
    String artifact = "/" + experimentId + "/" + runId + "/artifacts/model/MLmodel";
    assertEquals(
        200, artifacts.put(artifact, HttpRequest.BodyPublishers.ofString("flavors: {}")).status());
    http.post("/registered-models/create", "{\"name\":\"survivor-model\"}");
    http.post(
        "/model-versions/create",
        "{\"name\":\"survivor-model\",\"source\":\"mlflow-artifacts:/"
            + experimentId
            + "/"
            + runId
            + "/artifacts/model\",\"run_id\":\""
            + runId
            + "\"}");
    http.post(
        "/registered-models/alias",
        "{\"name\":\"survivor-model\",\"alias\":\"champion\",\"version\":\"1\"}");

    CommandResult down = run("down", "tracking");
    assertEquals(0, down.code(), down.toString());
    assertTrue(down.out().startsWith("tracking: stopped pid="), down.out());
    assertTrue(run("status").out().lines().toList().contains("tracking: stopped"));
    assertFalse(Files.exists(home.resolve("local.env")));
    assertEquals("tracking: not running", run("down", "tracking").out().strip());

    assertEquals(0, run("up", "tracking").code());
    try (MlflowClient client = new MlflowClient(url)) {
      assertEquals("survivor", client.getExperiment(experimentId).getName());
      assertEquals(
          List.of(1.0, 0.5, 1.0 / 3, 0.25, 0.2),
          client.getMetricHistory(runId, "loss").stream().map(Metric::getValue).toList());
      assertEquals("0.1", client.getRun(runId).getData().getParams(0).getValue());
      assertEquals("1", client.getModelVersion("survivor-model", "1").getVersion());
    }
    assertEquals(
        "flavors: {}", artifacts.download(artifact, HttpResponse.BodyHandlers.ofString()).body());
    assertEquals(
        "1",
        http.get("/registered-models/alias", Map.of("name", "survivor-model", "alias", "champion"))
            .json()
            .at("/model_version/version")
            .asText());
  }

  @Test
  @Order(3)
  void killedWhileWritingRestartsOnAConsistentStore() throws Exception {
    long pid = server().pid().orElseThrow();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger acknowledged = new AtomicInteger();
    ExecutorService writers = Executors.newFixedThreadPool(4);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      int writer = w;
      done.add(
          writers.submit(
              () -> {
                TrackingHttp http = new TrackingHttp(url + "/api/2.0/mlflow");
                TrackingHttp artifacts =
                    new TrackingHttp(url + "/api/2.0/mlflow-artifacts/artifacts");
                byte[] blob = new byte[256 * 1024];
                for (int i = 0; !stop.get(); i++) {
                  try {
                    http.post(
                        "/runs/log-metric",
                        "{\"run_id\":\""
                            + runId
                            + "\",\"key\":\"crash/w"
                            + writer
                            + "\",\"value\":"
                            + i
                            + ",\"timestamp\":"
                            + i
                            + ",\"step\":"
                            + i
                            + "}");
                    http.post(
                        "/runs/log-batch",
                        "{\"run_id\":\""
                            + runId
                            + "\",\"params\":[{\"key\":\"p"
                            + writer
                            + "-"
                            + i
                            + "\",\"value\":\""
                            + i
                            + "\"}],\"tags\":[{\"key\":\"t"
                            + writer
                            + "\",\"value\":\""
                            + i
                            + "\"}]}");
                    artifacts.put(
                        "/" + experimentId + "/" + runId + "/artifacts/crash/w" + writer + ".bin",
                        HttpRequest.BodyPublishers.ofByteArray(blob));
                    if (i % 5 == 0) {
                      http.post("/runs/create", "{\"experiment_id\":\"" + experimentId + "\"}");
                      http.post(
                          "/model-versions/create",
                          "{\"name\":\"survivor-model\",\"source\":\"mlflow-artifacts:/x\"}");
                    }
                    acknowledged.incrementAndGet();
                  } catch (RuntimeException e) {
                    return null; // the server is gone
                  }
                }
                return null;
              }));
    }
    // kill it only once the writers are well under way, so the kill lands mid-write
    long busyBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (acknowledged.get() < 50 && System.nanoTime() < busyBy) {
      java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
    }
    ProcessHandle victim = ProcessHandle.of(pid).orElseThrow();
    assertTrue(victim.destroyForcibly());
    victim.onExit().get(30, TimeUnit.SECONDS);
    stop.set(true);
    for (Future<?> future : done) {
      future.get(60, TimeUnit.SECONDS);
    }
    writers.shutdown();
    assertTrue(acknowledged.get() > 0, "the writers were writing when the server died");

    CommandResult up = run("up", "tracking");
    assertEquals(0, up.code(), up.toString());
    Path store = home.resolve("tracking");
    try (Stream<Path> tmp = Files.list(store.resolve("tmp"))) {
      assertEquals(List.of(), tmp.toList(), "half-written files are swept at start");
    }
    try (Stream<Path> files = Files.walk(store.resolve("mlruns"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (file.getFileName().toString().equals("meta.yaml")) {
          Object meta = new Yaml().load(Files.readString(file));
          assertTrue(meta instanceof Map<?, ?> m && !m.isEmpty(), "whole meta.yaml: " + file);
        } else if (file.toString().contains("/artifacts/crash/")) {
          assertEquals(256 * 1024, Files.size(file), "artifacts are whole or absent: " + file);
        }
      }
    }

    TrackingHttp http = new TrackingHttp(url + "/api/2.0/mlflow");
    JsonNode runs =
        http.post("/runs/search", "{\"experiment_ids\":[\"" + experimentId + "\"]}").json();
    assertTrue(runs.get("runs").size() >= 2, runs.toString());
    try (MlflowClient client = new MlflowClient(url)) {
      for (int w = 0; w < 4; w++) {
        String key = "crash/w" + w;
        Path file =
            store.resolve("mlruns").resolve(experimentId).resolve(runId).resolve("metrics/" + key);
        List<Metric> history = client.getMetricHistory(runId, key);
        long completeLines = Files.readString(file).chars().filter(c -> c == '\n').count();
        assertEquals(completeLines, history.size(), "a torn last line is never served");
        for (int i = 0; i < history.size(); i++) {
          assertEquals(i, history.get(i).getValue());
        }
        client.logMetric(runId, key, -1, 1, history.size());
        List<String> lines = Files.readAllLines(file);
        assertTrue(Files.readString(file).endsWith("\n"));
        lines.forEach(line -> assertTrue(line.matches("\\d+ -?\\d+\\.\\d+ \\d+"), line));
        assertEquals(history.size() + 1, client.getMetricHistory(runId, key).size());
      }
      assertEquals("survivor", client.getExperiment(experimentId).getName());
      assertTrue(client.searchModelVersions("name='survivor-model'").getItems().size() >= 1);
    }
  }

  @Test
  @Order(4)
  void upFailsClearlyWhenThePortIsTaken(@TempDir Path otherHome) {
    CommandResult up = run("up", "tracking", "--home=" + otherHome, "--tracking-port=" + port);

    assertEquals(1, up.code(), up.toString());
    assertEquals(
        "error: tracking: port "
            + port
            + " on 127.0.0.1 is already in use by another process; stop it or choose another"
            + " port with --tracking-port (or MLOPS_TRACKING_PORT)",
        up.err().strip());
  }

  @Test
  @Order(5)
  void statusReportsWhatRuns() {
    ServiceStatus status = server().status();
    assertEquals(ServiceStatus.State.RUNNING, status.state());
    assertEquals(Map.of("MLFLOW_TRACKING_URI", url), status.env());
  }

  private static TrackingServer server() {
    return new TrackingServer(
        new TrackingSettings(home, port, System.getProperty("mlops.local.classpath"), "256m"));
  }

  private static CommandResult run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (all.stream().noneMatch(a -> a.startsWith("--home"))) {
      all.add("--home=" + home);
      all.add("--tracking-port=" + port);
    }
    return CommandResult.of(all.toArray(String[]::new));
  }
}
