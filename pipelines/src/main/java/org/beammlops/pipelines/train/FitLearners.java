package org.beammlops.pipelines.train;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.transforms.features.FeatureSpec;
import org.beammlops.transforms.lake.ParquetFiles;
import org.beammlops.transforms.learn.FittedLearner;
import org.beammlops.transforms.learn.Learner;
import org.beammlops.transforms.learn.Objective;
import org.beammlops.transforms.learn.TrainingMatrix;
import org.beammlops.transforms.metrics.PipelineCounters;

/**
 * Runs {@link FitTask}s on the runner's workers: the tasks are reshuffled so that the runner
 * spreads them, each worker loads the exported training set once (see {@link TrainingSet}), fits,
 * scores and writes a {@link FitResult} file named after the task. A retried task overwrites its
 * own file, so results are exactly one per task.
 */
final class FitLearners extends PTransform<PBegin, PCollection<String>> {
  private final List<FitTask> tasks;
  private final Config config;

  /** Where the data is and how to fit. */
  record Config(
      String trainGlob,
      String holdoutGlob,
      String featureSpecJson,
      Task task,
      String idField,
      int folds,
      long seed,
      double[] classWeights,
      String resultDir)
      implements Serializable {}

  FitLearners(List<FitTask> tasks, Config config) {
    this.tasks = List.copyOf(tasks);
    this.config = config;
  }

  @Override
  public PCollection<String> expand(PBegin input) {
    return input
        .apply("Tasks", Create.of(tasks).withCoder(SerializableCoder.of(FitTask.class)))
        .apply("SpreadOverWorkers", Reshuffle.viaRandomKey())
        .apply("FitScoreAndSave", ParDo.of(new FitFn(config)));
  }

  /** Reads every result a run of {@link FitLearners} wrote for {@code tasks}. */
  static List<FitResult> readResults(String resultDir, List<FitTask> tasks) {
    List<FitResult> results = new ArrayList<>();
    for (FitTask task : tasks) {
      var file = FileSystems.matchNewResource(resultDir + "/" + task.fileName(), false);
      try (ObjectInputStream in =
          new ObjectInputStream(Channels.newInputStream(FileSystems.open(file)))) {
        results.add((FitResult) in.readObject());
      } catch (IOException | ClassNotFoundException e) {
        throw new IllegalStateException(
            "the result of " + task.fileName() + " is missing or unreadable: " + e, e);
      }
    }
    return results;
  }

  private static final class FitFn extends DoFn<FitTask, String> {
    private final Config config;
    private transient FeatureSpec spec;

    FitFn(Config config) {
      this.config = config;
    }

    @Setup
    public void setup() {
      spec = FeatureSpec.fromJson(config.featureSpecJson());
    }

    @ProcessElement
    public void process(@Element FitTask task, OutputReceiver<String> out) throws IOException {
      TrainingSet train =
          TrainingSet.load(
              config.trainGlob(),
              spec,
              config.task(),
              config.idField(),
              config.folds(),
              config.seed());
      TrainingMatrix fitRows;
      TrainingMatrix scoreRows;
      if (task.isRefit()) {
        fitRows = train.rows;
        scoreRows =
            TrainingSet.load(
                    config.holdoutGlob(),
                    spec,
                    config.task(),
                    config.idField(),
                    config.folds(),
                    config.seed())
                .rows;
      } else {
        fitRows = train.rows.select(train.rowsOf(task.fold(), false));
        scoreRows = train.rows.select(train.rowsOf(task.fold(), true));
      }
      float[] weights = new float[fitRows.rows()];
      double[] classWeights = config.classWeights();
      for (int r = 0; r < weights.length; r++) {
        weights[r] = classWeights == null ? 1f : (float) classWeights[(int) fitRows.target(r)];
      }
      long start = System.nanoTime();
      try (FittedLearner fitted =
          Learner.of(task.learner().kind())
              .fit(task.learner(), Objective.of(config.task()), fitRows, weights, config.seed())) {
        double fitSeconds = (System.nanoTime() - start) / 1e9;
        start = System.nanoTime();
        double[] scores = fitted.score(scoreRows);
        double scoreSeconds = (System.nanoTime() - start) / 1e9;
        FitResult result =
            new FitResult(
                task.learner(),
                task.fold(),
                fitRows.rows(),
                fitSeconds,
                scoreSeconds,
                scores,
                scoreRows.targets(),
                task.isRefit() ? fitted.modelBytes() : null);
        String path = config.resultDir() + "/" + task.fileName();
        try (ObjectOutputStream o =
            new ObjectOutputStream(
                Channels.newOutputStream(
                    FileSystems.create(
                        FileSystems.matchNewResource(path, false), MimeTypes.BINARY)))) {
          o.writeObject(result);
        }
        PipelineCounters.counter("fits").inc();
        out.output(path);
      }
    }
  }

  /** The glob of an exported set's Parquet files. */
  static String filesOf(String dir) {
    return dir + "/date=*/*.parquet";
  }

  /** Whether an exported set has any file (an empty split writes none). */
  static boolean hasFiles(String dir) {
    return !ParquetFiles.match(filesOf(dir)).isEmpty();
  }
}
