package org.beammlops.pipelines.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.beammlops.pipelines.train.TrainPipeline;
import org.beammlops.pipelines.train.TrainingFixture;
import org.beammlops.transforms.tracking.LocalTrackingServer;
import org.beammlops.transforms.tracking.ModelUri;
import org.beammlops.transforms.tracking.RunHandle;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingConfig;

/**
 * The one model that the integration tests needing a model, rather than a training, share: the
 * training pipeline trains it once per test JVM ({@code delay15} on the committed sample, small
 * learners), and every later caller registers a copy of its MLflow model directory on its own
 * tracking server. Failsafe runs every IT of a module in one JVM, so the scoring and batch-predict
 * ITs train once between them instead of once each.
 */
public final class TrainedModel {
  private static Path trainedModel;

  private TrainedModel() {}

  /**
   * Makes the shared model the champion of {@code registeredModel} on {@code trackingUri} and
   * returns its version there: trained by the training pipeline on the first call of this JVM, its
   * directory registered as a new version afterwards.
   */
  public static synchronized long registerAsChampion(String trackingUri, String registeredModel)
      throws Exception {
    if (trainedModel == null) {
      Map<String, Object> report =
          TrainPipeline.trainOnce(
              TrainingFixture.options(
                  trackingUri,
                  Files.createTempDirectory("trained-model-lake-"),
                  TrainingFixture.direct(),
                  "--task=delay15",
                  "--input=" + TrainingFixture.SAMPLE,
                  "--registeredModel=" + registeredModel,
                  "--trials=1",
                  "--folds=2"));
      trainedModel =
          copyOfModel(trackingUri, registeredModel, Files.createTempDirectory("trained-model-"));
      Object model = report.get("model");
      return ((Number) ((Map<?, ?>) model).get("version")).longValue();
    }
    long version = registerModelDir(trackingUri, registeredModel, trainedModel);
    try (TrackingClient tracking = tracking(trackingUri)) {
      tracking.setAlias(registeredModel, "champion", version);
    }
    return version;
  }

  /**
   * The shared model's MLflow directory, for a test that registers it itself (on a server with
   * authentication, say): trained on a tracking server of its own if no test has trained it yet.
   */
  public static synchronized Path directory() throws Exception {
    if (trainedModel == null) {
      try (LocalTrackingServer server =
          LocalTrackingServer.start(Files.createTempDirectory("trained-model-mlruns-"))) {
        registerAsChampion(server.url(), "trained-model");
      }
    }
    return trainedModel;
  }

  /** Copies the files of {@code model}'s champion into {@code to}, and returns {@code to}. */
  public static Path copyOfModel(String trackingUri, String model, Path to) throws Exception {
    try (TrackingClient tracking = tracking(trackingUri)) {
      Path dir = tracking.resolve(ModelUri.parse("models:/" + model + "@champion")).localPath();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.copy(f, to.resolve(f.getFileName()));
        }
      }
      return to;
    }
  }

  /** Logs an MLflow model directory in a run of its own and registers it as a new version. */
  public static long registerModelDir(String trackingUri, String model, Path dir) throws Exception {
    return registerModelDir(TrackingConfig.builder().trackingUri(trackingUri).build(), model, dir);
  }

  /** As {@link #registerModelDir(String, String, Path)} through a client of {@code config}. */
  public static long registerModelDir(TrackingConfig config, String model, Path dir)
      throws Exception {
    try (TrackingClient tracking = TrackingClient.create(config)) {
      tracking.ensureRegisteredModel(model);
      String experiment = tracking.getOrCreateExperiment(model + "-registered");
      try (RunHandle run = tracking.startRun(experiment, dir.getFileName().toString(), Map.of())) {
        run.logArtifacts(dir, "model");
        long version =
            tracking
                .createModelVersion(model, run.artifact("model").toString(), run.runId(), Map.of())
                .version();
        run.finish();
        return version;
      }
    }
  }

  private static TrackingClient tracking(String trackingUri) {
    return TrackingClient.create(TrackingConfig.builder().trackingUri(trackingUri).build());
  }
}
