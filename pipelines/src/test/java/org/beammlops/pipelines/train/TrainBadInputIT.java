package org.beammlops.pipelines.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.beammlops.pipelines.testing.FlightsTestData;
import org.beammlops.pipelines.testing.FlightsTestData.Flight;
import org.beammlops.pipelines.testing.UseCaseData;
import org.beammlops.transforms.tracking.LocalTrackingServer;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to training: each gives a clear error and registers nothing. */
class TrainBadInputIT {
  private static final ObjectMapper JSON = new ObjectMapper();
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

  /** Vehicles (the multi-class test use case) as JSON lines, {@code edit} applied to each. */
  private static Path vehicles(String name, int rows, UnaryOperator<ObjectNode> edit)
      throws Exception {
    List<String> lines = new ArrayList<>();
    for (String line : UseCaseData.vehiclesJsonLines(rows, 8)) {
      ObjectNode v = edit.apply((ObjectNode) JSON.readTree(line));
      if (v != null) {
        lines.add(v.toString());
      }
    }
    return Files.write(temp.resolve(name + ".json"), lines);
  }

  private static String failWithTestUseCases(String model, String... args) throws Exception {
    return UseCaseData.withTestUseCases(() -> fail(model, args));
  }

  @Test
  void aMultiClassTaskWithOneClassOnlyIsAClearError() throws Exception {
    Path input = vehicles("one-class", 600, v -> v.put("vehicle_class", "car"));
    String message =
        failWithTestUseCases("m-mc-one", "--useCase=vehicles", "--task=kind", "--input=" + input);
    assertTrue(message.contains("is of one class") && message.contains("car=600"), message);
    assertTrue(message.contains("at least two"), message);
  }

  @Test
  void aDeclaredClassWithoutAnyRowIsNamed() throws Exception {
    Path input =
        vehicles("no-bus", 1500, v -> v.get("vehicle_class").asText().equals("bus") ? null : v);
    String message =
        failWithTestUseCases("m-mc-nobus", "--useCase=vehicles", "--task=kind", "--input=" + input);
    assertTrue(message.contains("class [bus]") && message.contains("no labelled row"), message);
    assertTrue(message.contains("remove it from the task's classes"), message);
  }

  @Test
  void aPositiveClassThatNeverOccursIsAClearError() throws Exception {
    List<String> csv = new ArrayList<>(UseCaseData.loansCsv(800, 4));
    csv.replaceAll(line -> line.replace("Charged Off", "Current"));
    Path input = Files.write(temp.resolve("never-charged-off.csv"), csv);
    String message =
        failWithTestUseCases(
            "m-loans-none", "--useCase=loans", "--task=default", "--input=" + input);
    assertTrue(message.contains("every labelled row is of one class (none of"), message);
    assertTrue(message.contains("status = Charged Off"), message);
  }

  @Test
  void aClassPresentInTrainingButAbsentFromTheHoldoutStillTrainsAndIsEvaluated() throws Exception {
    // the time split holds out the latest 20%; buses stop before it
    Path input =
        vehicles(
            "no-late-bus",
            3000,
            v ->
                v.get("vehicle_class").asText().equals("bus")
                        && Integer.parseInt(v.get("vehicle_id").asText().substring(2)) > 2000
                    ? v.put("vehicle_class", "truck")
                    : v);
    Map<String, Object> report =
        UseCaseData.withTestUseCases(
            () ->
                TrainPipeline.trainOnce(
                    TrainingFixture.options(
                        server.url(),
                        temp.resolve("lake"),
                        TrainingFixture.direct(),
                        "--useCase=vehicles",
                        "--task=kind",
                        "--split=time",
                        "--registeredModel=m-mc-late",
                        "--input=" + input)));
    @SuppressWarnings("unchecked")
    Map<String, Double> stack =
        (Map<String, Double>) ((Map<String, Object>) report.get("holdout")).get("stack");
    String trainingDir =
        tracking.getRun((String) report.get("runId")).tags().get("mlops.training_dir");
    Map<String, Long> holdoutClasses = new java.util.TreeMap<>();
    org.beammlops.transforms.lake.ParquetFiles.forEachRecord(
        trainingDir + "/holdout/date=*/*.parquet",
        r -> holdoutClasses.merge(r.get("vehicle_class").toString(), 1L, Long::sum));
    assertFalse(holdoutClasses.containsKey("bus"), holdoutClasses.toString());
    assertEquals(4, holdoutClasses.size(), holdoutClasses.toString());
    assertTrue(Double.isFinite(stack.get("log_loss")), stack.toString());
    // macro AUC over the four classes the holdout has; F1 macro counts bus as 0 of 5
    assertTrue(stack.get("roc_auc_ovr_macro") > 0.8, stack.toString());
    assertTrue(stack.get("f1_macro") <= 0.8 + 1e-9, stack.toString());
    assertEquals(true, ((Map<?, ?>) report.get("model")).get("promoted"), report.toString());
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
