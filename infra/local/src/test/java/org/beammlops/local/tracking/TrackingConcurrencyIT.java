package org.beammlops.local.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.tracking.MlflowClient;

/**
 * 20 clients log at once, each 1,000 metric values into its own run and 1,000 into one run they all
 * share (into the same metric, so their appends race on one file): every value must be stored
 * exactly once and every stored line must be whole.
 */
class TrackingConcurrencyIT {
  static final int CLIENTS = 20;
  static final int VALUES = 1000;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void twentyClientsLogWithoutLosingOrCorruptingValues(@TempDir Path root) throws Exception {
    try (TrackingHttpServer server =
        TrackingHttpServer.start(TrackingServerConfig.local(root, 0))) {
      MlflowClient setup = new MlflowClient(server.url());
      String experimentId = setup.createExperiment("concurrency");
      String shared = setup.createRun(experimentId).getRunId();
      List<String> own = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        own.add(
            setup
                .createRun(
                    CreateRun.newBuilder()
                        .setExperimentId(experimentId)
                        .setRunName("client-" + c)
                        .build())
                .getRunId());
      }

      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      List<Future<?>> done = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        done.add(
            pool.submit(
                () -> {
                  try (MlflowClient mlflow = new MlflowClient(server.url())) {
                    for (int i = 0; i < VALUES; i++) {
                      mlflow.logMetric(own.get(client), "loss", value(client, i), 1000L + i, i);
                      mlflow.logMetric(
                          shared, "shared", value(client, i), 1000L + i, client * VALUES + i);
                    }
                    mlflow.logParam(shared, "client-" + client, String.valueOf(client));
                  }
                  return null;
                }));
      }
      for (Future<?> future : done) {
        future.get(3, TimeUnit.MINUTES);
      }
      pool.shutdown();
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "%d metric calls from %d clients in %.1fs (%.0f/s)%n",
          2 * CLIENTS * VALUES, CLIENTS, seconds, 2 * CLIENTS * VALUES / seconds);

      for (int c = 0; c < CLIENTS; c++) {
        List<Metric> history = setup.getMetricHistory(own.get(c), "loss");
        assertEquals(VALUES, history.size(), "own run of client " + c);
        for (int i = 0; i < VALUES; i++) {
          assertEquals(i, history.get(i).getStep());
          assertEquals(value(c, i), history.get(i).getValue());
        }
        assertEquals(
            value(c, VALUES - 1), setup.getRun(own.get(c)).getData().getMetrics(0).getValue());
      }

      List<Metric> sharedHistory = setup.getMetricHistory(shared, "shared");
      assertEquals(CLIENTS * VALUES, sharedHistory.size());
      Set<Long> steps = new HashSet<>();
      for (Metric metric : sharedHistory) {
        int client = (int) (metric.getStep() / VALUES);
        int i = (int) (metric.getStep() % VALUES);
        assertEquals(value(client, i), metric.getValue(), "step " + metric.getStep());
        assertEquals(1000L + i, metric.getTimestamp());
        steps.add(metric.getStep());
      }
      assertEquals(CLIENTS * VALUES, steps.size(), "every value exactly once");
      assertEquals(CLIENTS, setup.getRun(shared).getData().getParamsCount());

      Path file =
          root.resolve("mlruns").resolve(experimentId).resolve(shared).resolve("metrics/shared");
      List<String> lines = Files.readAllLines(file);
      assertEquals(CLIENTS * VALUES, lines.size());
      for (String line : lines) {
        assertTrue(line.matches("1\\d{3} -?\\d+\\.\\d+(e-?\\d+)? \\d+"), "whole line: " + line);
      }
      setup.close();
    }
  }

  private static double value(int client, int i) {
    return client + i / 1000.0;
  }
}
