package org.beammlops.pipelines.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.beammlops.pipelines.testing.FlightsTestData;
import org.beammlops.pipelines.testing.FlightsTestData.Flight;
import org.beammlops.transforms.tracking.LocalTrackingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --watch}: a new input batch is ingested into the lake and trained on, once. */
class TrainWatcherIT {
  @TempDir Path temp;

  @Test
  void newBatchFolderIsIngestedAndTrainedOnceAndRemembered() throws Exception {
    Path batches = Files.createDirectories(temp.resolve("batches"));
    Path lake = temp.resolve("lake");
    List<String> lines = new ArrayList<>();
    lines.add(FlightsTestData.CSV_HEADER);
    FlightsTestData.firstRows(3000).stream().map(Flight::csv).forEach(lines::add);
    try (LocalTrackingServer server = LocalTrackingServer.start(temp.resolve("mlruns"))) {
      String[] args = {
        "--task=delay15",
        "--watchPath=" + batches,
        "--watchIntervalSeconds=1",
        "--maxTrainings=1",
        "--trials=1",
        "--folds=2",
        "--registeredModel=watched"
      };
      CompletableFuture<Map<String, Object>> watcher =
          CompletableFuture.supplyAsync(
              () ->
                  TrainPipeline.run(
                      TrainingFixture.options(server.url(), lake, TrainingFixture.direct(), args)));
      // No wait for the watcher to start: an input batch is new until .mlops-trained lists it,
      // whether it appears before or after the watcher's first look.
      Path batch = Files.createDirectories(temp.resolve("staging"));
      Files.write(batch.resolve("flights.csv"), lines);
      Files.move(batch, batches.resolve("batch-1"));
      Map<String, Object> report = watcher.get(300, TimeUnit.SECONDS);
      assertEquals(1, report.get("trainings"));
      assertTrue(Files.isDirectory(lake.resolve("flights/events")), "the batch was ingested");
      assertEquals(List.of("batch-1"), Files.readAllLines(batches.resolve(TrainWatcher.DONE_FILE)));
      @SuppressWarnings("unchecked")
      Map<String, Object> run = ((List<Map<String, Object>>) report.get("runs")).get(0);
      @SuppressWarnings("unchecked")
      Map<String, Object> model = (Map<String, Object>) run.get("model");
      assertEquals(1L, model.get("version"));
      assertEquals("batch-1", run.get("batch"));
    }
  }
}
