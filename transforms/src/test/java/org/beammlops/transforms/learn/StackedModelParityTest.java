package org.beammlops.transforms.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.transforms.FlightRecords;
import org.beammlops.transforms.features.FeatureSpec;
import org.beammlops.transforms.features.FitOptions;
import org.beammlops.transforms.onnx.OnnxRunner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exported graph against the learners' own libraries: real Tribuo, real XGBoost, real ONNX
 * Runtime, on rows of the committed flights sample, including held-out rows with a missing feature
 * and with categories the spec never saw.
 */
class StackedModelParityTest {
  private static final List<GenericRecord> ROWS = FlightsSample.firstRows(6000);

  @ParameterizedTest
  @ValueSource(strings = {"delay15", "delay"})
  void graphMatchesTheLearnersOwnStackOnEveryHoldoutRow(String taskName) {
    Task task = FlightRecords.FLIGHTS.task(taskName);
    List<GenericRecord> train = ROWS.subList(0, 5000);
    List<GenericRecord> holdout = new ArrayList<>();
    for (GenericRecord r : ROWS.subList(5000, ROWS.size())) {
      holdout.add(new GenericData.Record((GenericData.Record) r, true));
    }
    for (int i = 0; i < holdout.size(); i += 7) {
      holdout.get(i).put("origin", "ZZZ"); // never seen: the <oov> column
    }
    for (int i = 3; i < holdout.size(); i += 11) {
      holdout.get(i).put("distance", null); // missing: the fill and the _missing column
    }
    for (int i = 5; i < holdout.size(); i += 13) {
      holdout.get(i).put("destination", null);
    }
    FeatureSpec spec =
        FeatureSpec.fit(FlightRecords.FLIGHTS, FitOptions.defaults().withDefaultMinCount(5), train);
    TrainingMatrix trainRows = FlightsSample.matrix(train, spec, task);
    TrainingMatrix holdoutRows = FlightsSample.matrix(holdout, spec, task);

    List<LearnerSpec> specs =
        List.of(
            new LearnerSpec("linear", LearnerKind.LINEAR, Map.of("epochs", "2")),
            new LearnerSpec("gbt", LearnerKind.GBT, Map.of("rounds", "40", "max_depth", "5")),
            new LearnerSpec("rf", LearnerKind.RF, Map.of("num_parallel_tree", "30")));
    float[] weights = new float[trainRows.rows()];
    Arrays.fill(weights, 1f);
    List<FittedLearner> fitted = new ArrayList<>();
    for (LearnerSpec s : specs) {
      fitted.add(Learner.of(s.kind()).fit(s, Objective.of(task), trainRows, weights, 7));
    }
    double[][] inSample = new double[fitted.size()][];
    for (int j = 0; j < fitted.size(); j++) {
      inSample[j] = fitted.get(j).score(trainRows);
    }
    Stacker stacker =
        Stacker.fit(
            Objective.of(task),
            specs.stream().map(LearnerSpec::name).toList(),
            inSample,
            trainRows.targets());

    try (StackedModel model = new StackedModel(Objective.of(task), spec.width(), fitted, stacker);
        OnnxRunner runner = OnnxRunner.load(model.toOnnx())) {
      double[] expected = model.predict(holdoutRows);
      float[][] dense = new float[holdoutRows.rows()][];
      for (int r = 0; r < dense.length; r++) {
        dense[r] = holdoutRows.dense(r);
      }
      float[][] actual = runner.run(dense);
      assertEquals(expected.length, actual.length);
      double worst = 0;
      for (int r = 0; r < expected.length; r++) {
        double diff = Math.abs(actual[r][0] - expected[r]) / Math.max(1, Math.abs(expected[r]));
        worst = Math.max(worst, diff);
      }
      assertTrue(worst <= 1e-5, "largest difference " + worst);
      // The stack is not degenerate: predictions vary and every learner carries weight.
      assertTrue(Arrays.stream(expected).distinct().count() > 100);
      assertTrue(Arrays.stream(stacker.weights()).allMatch(w -> w != 0));
    }
  }

  @org.junit.jupiter.api.Test
  void aConstantFeatureAndAnEntirelyMissingOneStillTrainAndExport() {
    Task task = FlightRecords.FLIGHTS.task("delay15");
    List<GenericRecord> rows = new ArrayList<>();
    for (GenericRecord r : ROWS.subList(0, 3000)) {
      GenericRecord copy = new GenericData.Record((GenericData.Record) r, true);
      copy.put("distance", 500L); // constant: std 0, the column is all zeros after standardizing
      copy.put("destination", null); // missing everywhere: an empty vocabulary, only <oov>
      rows.add(copy);
    }
    FeatureSpec spec = FeatureSpec.fit(FlightRecords.FLIGHTS, FitOptions.defaults(), rows);
    TrainingMatrix matrix = FlightsSample.matrix(rows, spec, task);
    float[] weights = new float[matrix.rows()];
    Arrays.fill(weights, 1f);
    List<FittedLearner> fitted = new ArrayList<>();
    List<String> names = List.of("linear", "gbt");
    fitted.add(
        Learner.of(LearnerKind.LINEAR)
            .fit(
                new LearnerSpec("linear", LearnerKind.LINEAR, Map.of()),
                Objective.of(task),
                matrix,
                weights,
                1));
    fitted.add(
        Learner.of(LearnerKind.GBT)
            .fit(
                new LearnerSpec("gbt", LearnerKind.GBT, Map.of("rounds", "10")),
                Objective.of(task),
                matrix,
                weights,
                1));
    double[][] scores = {fitted.get(0).score(matrix), fitted.get(1).score(matrix)};
    Stacker stacker = Stacker.fit(Objective.of(task), names, scores, matrix.targets());
    try (StackedModel model = new StackedModel(Objective.of(task), spec.width(), fitted, stacker);
        OnnxRunner runner = OnnxRunner.load(model.toOnnx())) {
      double[] expected = model.predict(matrix);
      float[][] dense = new float[matrix.rows()][];
      for (int r = 0; r < dense.length; r++) {
        dense[r] = matrix.dense(r);
      }
      float[][] actual = runner.run(dense);
      for (int r = 0; r < expected.length; r++) {
        assertEquals(expected[r], actual[r][0], 1e-5);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"linear", "gbt", "rf"})
  void sameSeedSameDataGivesTheSameModel(String kind) {
    Task task = FlightRecords.FLIGHTS.task("delay15");
    List<GenericRecord> train = ROWS.subList(0, 3000);
    FeatureSpec spec = FeatureSpec.fit(FlightRecords.FLIGHTS, FitOptions.defaults(), train);
    TrainingMatrix rows = FlightsSample.matrix(train, spec, task);
    LearnerSpec s = new LearnerSpec(kind, LearnerKind.parse(kind), Map.of("rounds", "20"));
    float[] weights = new float[rows.rows()];
    Arrays.fill(weights, 1f);
    try (FittedLearner a = Learner.of(s.kind()).fit(s, Objective.of(task), rows, weights, 3);
        FittedLearner b = Learner.of(s.kind()).fit(s, Objective.of(task), rows, weights, 3)) {
      assertArrayEquals(a.score(rows), b.score(rows));
      if (s.kind() != LearnerKind.LINEAR) {
        // Tribuo's model bytes hold its provenance, with the time of training; XGBoost's do not.
        assertArrayEquals(a.modelBytes(), b.modelBytes());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"linear", "gbt"})
  void restoredLearnerScoresLikeTheFittedOne(String kind) {
    Task task = FlightRecords.FLIGHTS.task("delay");
    List<GenericRecord> train = ROWS.subList(0, 2000);
    FeatureSpec spec = FeatureSpec.fit(FlightRecords.FLIGHTS, FitOptions.defaults(), train);
    TrainingMatrix rows = FlightsSample.matrix(train, spec, task);
    LearnerSpec s = new LearnerSpec(kind, LearnerKind.parse(kind), Map.of("rounds", "10"));
    float[] weights = new float[rows.rows()];
    Arrays.fill(weights, 1f);
    try (FittedLearner fitted = Learner.of(s.kind()).fit(s, Objective.of(task), rows, weights, 3);
        FittedLearner restored =
            Learner.restoreFitted(s, Objective.of(task), fitted.modelBytes(), spec.width())) {
      assertArrayEquals(fitted.score(rows), restored.score(rows), 1e-9);
    }
  }
}
