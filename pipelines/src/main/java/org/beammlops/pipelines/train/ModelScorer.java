package org.beammlops.pipelines.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.transforms.features.FeatureSpec;
import org.beammlops.transforms.lake.ParquetFiles;
import org.beammlops.transforms.model.MlflowModel;
import org.beammlops.transforms.model.MlflowModelReader;
import org.beammlops.transforms.onnx.OnnxRunner;

/**
 * Scores labelled files with an MLflow model directory exactly as serving will: the model's own
 * feature spec, then its ONNX graph. Used to check a new graph against its learners and to score
 * the current champion on the new holdout, so both are judged on the same rows.
 */
final class ModelScorer {
  private static final int BATCH = 4096;

  private ModelScorer() {}

  /**
   * Predictions (first graph output: one per row, or each class's probability row by row) and
   * targets of every labelled row under {@code glob}, in the canonical order of {@link TrainingSet}
   * (by a stable hash of {@code idField}), so that they line up with the learners' own holdout
   * scores ({@code idField} null: the whole record, as {@link TrainingSet} keys the rows of a use
   * case without ids).
   */
  static Scored score(Path modelDir, String glob, Task task, String idField) {
    return score(modelDir, glob, task, true, idField);
  }

  /**
   * As {@link #score(Path, String, Task, String)} in read order, of the rows {@code keep} accepts:
   * for the gate's metrics, which do not care about order. {@link Scored#excluded} counts the
   * labelled rows left out.
   */
  static Scored score(Path modelDir, String glob, Task task, Predicate<GenericRecord> keep) {
    return score(modelDir, glob, task, false, null, keep);
  }

  private static Scored score(
      Path modelDir, String glob, Task task, boolean canonical, String idField) {
    return score(modelDir, glob, task, canonical, idField, r -> true);
  }

  private static Scored score(
      Path modelDir,
      String glob,
      Task task,
      boolean canonical,
      String idField,
      Predicate<GenericRecord> keep) {
    MlflowModel model = MlflowModelReader.read(modelDir);
    FeatureSpec spec =
        FeatureSpec.fromJson(
            read(
                model
                    .featureSpec()
                    .orElseThrow(
                        () -> new IllegalArgumentException(modelDir + " has no feature spec"))));
    List<Double> predictions = new ArrayList<>();
    List<Double> targets = new ArrayList<>();
    List<Long> keys = new ArrayList<>();
    long[] excluded = {0};
    try (OnnxRunner runner = OnnxRunner.load(model.modelOnnx())) {
      int width = spec.width();
      float[] batch = new float[BATCH * width];
      int[] rows = {0};
      ParquetFiles.forEachRecord(
          glob,
          (GenericRecord record) -> {
            Double target = TrainingSet.target(record, task);
            if (target == null) {
              return;
            }
            if (!keep.test(record)) {
              excluded[0]++;
              return;
            }
            System.arraycopy(spec.vectorize(record), 0, batch, rows[0] * width, width);
            targets.add(target);
            if (canonical) {
              keys.add(
                  org.beammlops.transforms.learn.Folds.stableHash(
                      org.beammlops.transforms.learn.Folds.keyOf(record, idField)));
            }
            if (++rows[0] == BATCH) {
              flush(runner, batch, rows[0], predictions);
              rows[0] = 0;
            }
          });
      if (rows[0] > 0) {
        flush(runner, batch, rows[0], predictions);
      }
    }
    if (!canonical) {
      return new Scored(
          predictions.stream().mapToDouble(Double::doubleValue).toArray(),
          targets.stream().mapToDouble(Double::doubleValue).toArray(),
          excluded[0]);
    }
    int[] order = TrainingSet.canonicalOrder(keys);
    int stride = targets.isEmpty() ? 1 : predictions.size() / targets.size();
    double[] p = new double[predictions.size()];
    double[] t = new double[targets.size()];
    for (int i = 0; i < order.length; i++) {
      t[i] = targets.get(order[i]);
      for (int k = 0; k < stride; k++) {
        p[i * stride + k] = predictions.get(order[i] * stride + k);
      }
    }
    return new Scored(p, t, excluded[0]);
  }

  private static void flush(OnnxRunner runner, float[] batch, int rows, List<Double> out) {
    float[] used =
        rows * runner.inputWidth() == batch.length
            ? batch
            : java.util.Arrays.copyOf(batch, rows * runner.inputWidth());
    for (float[] row : runner.run(used, rows)) {
      for (float value : row) {
        out.add((double) value);
      }
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Predictions and targets of the rows kept; {@code excluded}: labelled rows left out. */
  record Scored(double[] predictions, double[] targets, long excluded) {
    int rows() {
      return targets.length;
    }
  }
}
