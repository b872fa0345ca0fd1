package org.beammlops.pipelines.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
   * targets of every labelled row under {@code glob}.
   */
  static Scored score(Path modelDir, String glob, Task task) {
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
            System.arraycopy(spec.vectorize(record), 0, batch, rows[0] * width, width);
            targets.add(target);
            if (++rows[0] == BATCH) {
              flush(runner, batch, rows[0], predictions);
              rows[0] = 0;
            }
          });
      if (rows[0] > 0) {
        flush(runner, batch, rows[0], predictions);
      }
    }
    return new Scored(
        predictions.stream().mapToDouble(Double::doubleValue).toArray(),
        targets.stream().mapToDouble(Double::doubleValue).toArray());
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

  record Scored(double[] predictions, double[] targets) {}
}
