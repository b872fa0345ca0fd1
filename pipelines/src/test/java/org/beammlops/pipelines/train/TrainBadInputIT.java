package org.beammlops.pipelines.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.beammlops.pipelines.testing.FlightsTestData;
import org.beammlops.pipelines.testing.FlightsTestData.Flight;
import org.beammlops.transforms.tracking.LocalTrackingServer;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to training: each gives a clear error and registers nothing. */
class TrainBadInputIT {
  @TempDir static Path temp;
  private static LocalTrackingServer server;
  private static TrackingClient tracking;
  private static List<Flight> flights;

  @BeforeAll
  static void start() throws Exception {
    server = LocalTrackingServer.start(temp.resolve("mlruns"));
    tracking = TrackingClient.create(TrackingConfig.builder().trackingUri(server.url()).build());
    flights = FlightsTestData.firstRows(4000);
  }

  @AfterAll
  static void stop() throws Exception {
    tracking.close();
    server.close();
  }

  private static Path csv(String name, java.util.function.Function<Flight, String> line)
      throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add(FlightsTestData.CSV_HEADER);
    flights.forEach(f -> lines.add(line.apply(f)));
    return Files.write(temp.resolve(name + ".csv"), lines);
  }

  private static String fail(String model, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--registeredModel=" + model);
    Exception e =
        assertThrows(
            RuntimeException.class,
            () ->
                TrainPipeline.trainOnce(
                    TrainingFixture.options(
                        server.url(),
                        temp.resolve("lake"),
                        TrainingFixture.direct(),
                        all.toArray(String[]::new))));
    assertTrue(
        tracking.searchModelVersions("name='" + model + "'", 10).isEmpty(),
        "nothing registered for " + model);
    return messageChain(e);
  }

  private static String messageChain(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      b.append(t.getMessage()).append(" | ");
    }
    return b.toString();
  }

  @Test
  void unknownTaskListsTheKnownOnes() {
    String message = fail("m-task", "--task=nope", "--input=" + TrainingFixture.SAMPLE);
    assertTrue(message.contains("nope") && message.contains("delay15"), message);
  }

  @Test
  void emptyLakeIsAClearErrorBeforeAnythingStarts() {
    String message = fail("m-empty", "--task=delay15");
    assertTrue(message.contains("has no events"), message);
  }

  @Test
  void dateRangeWithoutDataIsAClearError() throws Exception {
    Path partition = temp.resolve("lake/flights/events/date=2001-01-01");
    Files.createDirectories(partition);
    Files.copy(Path.of(TrainingFixture.SAMPLE), partition.resolve("part-0.parquet"));
    String message = fail("m-range", "--task=delay15", "--from=2030-01-01", "--to=2030-02-01");
    assertTrue(message.contains("no events between 2030-01-01 and 2030-02-01"), message);
  }

  @Test
  void allLabelsMissingIsAClearError() throws Exception {
    Path input =
        csv(
            "nolabels",
            f ->
                String.join(
                    ",", f.date(), "", Long.toString(f.distance()), f.origin(), f.destination()));
    String message = fail("m-nolabel", "--task=delay15", "--input=" + input);
    assertTrue(message.contains("no row has a 'delay' label"), message);
  }

  @Test
  void aSingleClassIsAClearError() throws Exception {
    Path input =
        csv(
            "oneclass",
            f ->
                String.join(
                    ",", f.date(), "0", Long.toString(f.distance()), f.origin(), f.destination()));
    String message = fail("m-oneclass", "--task=delay15", "--input=" + input);
    assertTrue(message.contains("every labelled row is of one class"), message);
  }

  @Test
  void trackingServerDownAtStartIsAClearErrorAndNothingIsWritten() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path lake = temp.resolve("lake-down");
    Exception e =
        assertThrows(
            RuntimeException.class,
            () ->
                TrainPipeline.trainOnce(
                    TrainingFixture.options(
                        "http://127.0.0.1:" + port,
                        lake,
                        TrainingFixture.direct(),
                        "--task=delay15",
                        "--input=" + TrainingFixture.SAMPLE)));
    assertTrue(messageChain(e).contains("127.0.0.1:" + port), messageChain(e));
    assertFalse(Files.exists(lake.resolve("flights/training")), "no training data exported");
  }

  @Test
  void trackingServerDyingMidRunRegistersNothingAndARetryWorks() throws Exception {
    Path root = temp.resolve("mlruns-dying");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path lake = temp.resolve("lake-dying");
    Path input = csv("dying", Flight::csv);
    String[] args = {
      "--task=delay15", "--input=" + input, "--registeredModel=m-dying", "--trials=1", "--folds=2"
    };
    ExecutionException failed;
    try (LocalTrackingServer dying = LocalTrackingServer.start(root, port)) {
      CompletableFuture<Map<String, Object>> run =
          CompletableFuture.supplyAsync(
              () ->
                  TrainPipeline.trainOnce(
                      TrainingFixture.options(dying.url(), lake, TrainingFixture.direct(), args)));
      // Kill the server once the data stage is over, while the learners are being fitted.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      while (!featureSpecWritten(lake) && System.nanoTime() < deadline && !run.isDone()) {
        Thread.sleep(50);
      }
      assertTrue(featureSpecWritten(lake), "the data stage finished");
      dying.close();
      failed = assertThrows(ExecutionException.class, () -> run.get(300, TimeUnit.SECONDS));
    }
    assertTrue(messageChain(failed).contains("127.0.0.1:" + port), messageChain(failed));

    try (LocalTrackingServer again = LocalTrackingServer.start(root, port);
        TrackingClient client =
            TrackingClient.create(TrackingConfig.builder().trackingUri(again.url()).build())) {
      assertTrue(
          client.searchModelVersions("name='m-dying'", 10).isEmpty(), "no half-registered version");
      Map<String, Object> report =
          TrainPipeline.trainOnce(
              TrainingFixture.options(again.url(), lake, TrainingFixture.direct(), args));
      @SuppressWarnings("unchecked")
      Map<String, Object> model = (Map<String, Object>) report.get("model");
      assertEquals(1L, model.get("version"));
      assertEquals(1, client.searchModelVersions("name='m-dying'", 10).size());
    }
  }

  private static boolean featureSpecWritten(Path lake) throws Exception {
    Path training = lake.resolve("flights/training");
    if (!Files.isDirectory(training)) {
      return false;
    }
    try (var dirs = Files.list(training)) {
      return dirs.anyMatch(d -> Files.exists(d.resolve("feature_spec.json")));
    }
  }
}
