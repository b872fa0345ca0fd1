package org.beammlops.pipelines.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.schemas.FeatureProfile;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.features.FeatureSpec;
import org.beammlops.transforms.learn.LearnerSpec;
import org.beammlops.transforms.learn.Objective;
import org.beammlops.transforms.learn.StackedModel;
import org.beammlops.transforms.learn.Stacker;
import org.beammlops.transforms.model.MlflowModel;
import org.beammlops.transforms.model.MlflowModelWriter;
import org.beammlops.transforms.model.ModelSchema;
import org.beammlops.transforms.model.ModelSignature;
import org.beammlops.transforms.model.SchemaSpec;
import org.beammlops.transforms.profile.DatasetProfiler;
import org.beammlops.transforms.profile.DatasetProfiles;

/**
 * Builds the MLflow model directory: one ONNX graph of the refitted learners and the stacker, the
 * feature spec, the training data's reference profile, what it trained on ({@link TrainingData})
 * and a summary of how it was trained. Before anything is logged, the graph is run with ONNX
 * Runtime on every holdout row and compared with the stack computed from the learners' own
 * predictions; a difference above {@value TrainPipeline#PARITY_TOLERANCE} (relative for large
 * regression values) fails the training.
 */
final class ModelExport {
  static final String TRAINING_SUMMARY = "training_summary.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelExport() {}

  static Path write(
      Task task,
      FeatureSpec spec,
      List<LearnerSpec> chosen,
      List<FitResult> refits,
      Stacker stacker,
      PrepareTrainingData.Locations out,
      Holdout holdout,
      TrainOptions options,
      UseCase useCase,
      TrainingData trainingData) {
    byte[] onnx;
    try (StackedModel model = TrainPipeline.stackedModel(task, spec, chosen, refits, stacker)) {
      onnx = model.toOnnx();
    }
    try {
      Path dir = Files.createTempDirectory("beam-mlops-model-");
      Files.delete(dir);
      String output = StackedModel.outputName(task.type());
      Objective objective = Objective.of(task);
      ModelSignature signature =
          new ModelSignature(
              ModelSchema.of(SchemaSpec.Tensor.of(StackedModel.INPUT, "float32", -1, spec.width())),
              ModelSchema.of(
                  SchemaSpec.Tensor.of(output, "float32", -1, objective.width()),
                  SchemaSpec.Tensor.of(
                      StackedModel.BASE_SCORES, "float32", -1, chosen.size() * objective.width())));
      ObjectNode summary = JSON.createObjectNode();
      summary.put("use_case", useCase.name());
      summary.put("task", task.name());
      summary.put("task_type", task.type().name().toLowerCase());
      summary.put("output", output);
      if (objective.isClassification()) {
        summary.set("classes", JSON.valueToTree(task.outputClasses()));
      }
      var bases = summary.putArray("base_learners");
      for (LearnerSpec l : chosen) {
        ObjectNode b = bases.addObject();
        b.put("name", l.name());
        b.put("kind", l.kind().id());
        b.set("params", JSON.valueToTree(l.params()));
      }
      summary.set("stacker_weights", JSON.valueToTree(stacker.weights()));
      summary.set("stacker_intercepts", JSON.valueToTree(stacker.intercepts()));
      summary.set("holdout", JSON.valueToTree(holdout.summary()));
      summary.put("seed", options.getSeed());
      MlflowModelWriter writer =
          MlflowModelWriter.builder()
              .metadata(MlflowModel.USE_CASE, useCase.name())
              .metadata(MlflowModel.TASK, task.name())
              .metadata(MlflowModel.TASK_TYPE, task.type().name().toLowerCase(Locale.ROOT));
      if (task.isBinary()) {
        summary.put("decision_threshold", holdout.threshold());
        writer.metadata(MlflowModel.DECISION_THRESHOLD, Double.toString(holdout.threshold()));
      }
      MlflowModel written =
          writer
              .onnxModel(onnx)
              .signature(signature)
              .extraFile(MlflowModel.FEATURE_SPEC, spec.toJson().getBytes(StandardCharsets.UTF_8))
              .extraFile(
                  MlflowModel.REFERENCE_PROFILE,
                  TrainPipeline.readText(out.referenceProfile()).getBytes(StandardCharsets.UTF_8))
              .extraJson(TRAINING_SUMMARY, summary)
              .extraJson(MlflowModel.TRAINING_DATA, trainingData.toJson())
              .write(dir);
      ModelScorer.Scored onnxScores =
          checkParity(
              written.directory(),
              out,
              task,
              holdout,
              useCase.idField().map(f -> f.name()).orElse(null));
      addPredictionProfile(written, task, onnxScores);
      return written.directory();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Adds the graph's predictions on the holdout to the model's reference profile, under {@link
   * UseCase#PREDICTION_FIELD}: the reference of prediction drift. The holdout, not the training
   * rows: predictions on rows the model learned from are more confident than any it will serve.
   */
  private static void addPredictionProfile(
      MlflowModel model, Task task, ModelScorer.Scored holdoutScores) throws IOException {
    double[] p = holdoutScores.predictions();
    List<Object> values = new java.util.ArrayList<>();
    if (task.type() == Task.Type.MULTICLASS) {
      List<String> classes = task.outputClasses();
      int k = classes.size();
      for (int row = 0; row * k < p.length; row++) {
        int best = 0;
        for (int c = 1; c < k; c++) {
          best = p[row * k + c] > p[row * k + best] ? c : best;
        }
        values.add(classes.get(best));
      }
    } else {
      for (double v : p) {
        values.add(v);
      }
    }
    Path file = model.referenceProfile().orElseThrow();
    DatasetProfile profile = DatasetProfiles.fromJson(Files.readString(file));
    List<FeatureProfile> features = new java.util.ArrayList<>(profile.getFeatures());
    features.add(DatasetProfiler.predictions(task, values));
    profile.setFeatures(features);
    Files.writeString(file, DatasetProfiles.toJson(profile));
  }

  /**
   * Fails unless the graph reproduces the learners' own stack on every holdout row; returns the
   * graph's scores.
   */
  private static ModelScorer.Scored checkParity(
      Path modelDir,
      PrepareTrainingData.Locations out,
      Task task,
      Holdout holdout,
      String idField) {
    ModelScorer.Scored onnx =
        ModelScorer.score(modelDir, FitLearners.filesOf(out.holdout()), task, idField);
    double[] expected = holdout.stackPredictions();
    if (onnx.predictions().length != expected.length) {
      throw new IllegalStateException(
          "the graph scored "
              + onnx.predictions().length
              + " holdout rows, the learners "
              + expected.length);
    }
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      double diff =
          Math.abs(onnx.predictions()[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
      worst = Math.max(worst, diff);
    }
    holdout.stack().put("onnx_max_diff", worst);
    if (worst > TrainPipeline.PARITY_TOLERANCE) {
      throw new IllegalStateException(
          "the exported ONNX graph differs from the learners' own stack by "
              + worst
              + " (more than "
              + TrainPipeline.PARITY_TOLERANCE
              + "); not logging this model");
    }
    return onnx;
  }
}
