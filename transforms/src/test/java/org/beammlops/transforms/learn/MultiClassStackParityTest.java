package org.beammlops.transforms.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.transforms.FlightRecords;
import org.beammlops.transforms.features.FeatureSpec;
import org.beammlops.transforms.features.FitOptions;
import org.beammlops.transforms.onnx.OnnxRunner;
import org.junit.jupiter.api.Test;

/**
 * A multi-class stack (multinomial Tribuo logistic regression, XGBoost {@code multi:softprob}
 * boosted trees and forest, the multinomial stacker) exported as one graph whose output is the
 * class probabilities, against the learners' own libraries on real flights rows, the departure
 * delay cut into four classes.
 */
class MultiClassStackParityTest {
  private static final int CLASSES = 4;
  private static final List<GenericRecord> ROWS = FlightsSample.firstRows(5000);
  private static final FeatureSpec SPEC =
      FeatureSpec.fit(
          FlightRecords.FLIGHTS,
          FitOptions.defaults().withDefaultMinCount(5),
          ROWS.subList(0, 4000));

  /** early, on time, late, very late. */
  private static double delayClass(GenericRecord r) {
    long delay = ((Number) r.get("delay")).longValue();
    return delay < 0 ? 0 : delay < 15 ? 1 : delay < 60 ? 2 : 3;
  }

  private static TrainingMatrix matrix(List<GenericRecord> rows, boolean withoutVeryLate) {
    TrainingMatrix.Builder b = TrainingMatrix.builder(SPEC.width());
    for (GenericRecord r : rows) {
      if (r.get("delay") != null && !(withoutVeryLate && delayClass(r) == 3)) {
        b.add(SPEC.vectorize(r), delayClass(r));
      }
    }
    return b.build();
  }

  @Test
  void graphMatchesTheLearnersOwnClassProbabilitiesOnEveryHoldoutRow() {
    double worst = parityOf(matrix(ROWS.subList(0, 4000), false));
    assertTrue(worst <= 1e-5, "largest difference " + worst);
  }

  @Test
  void aClassMissingFromTheTrainingRowsIsStillAnOutputWithALowProbability() {
    TrainingMatrix train = matrix(ROWS.subList(0, 4000), true);
    assertTrue(Arrays.stream(train.targets()).noneMatch(t -> t == 3));
    double worst = parityOf(train);
    assertTrue(worst <= 1e-5, "largest difference " + worst);
  }

  /** Fits the stack on {@code train}, checks it on the held-out rows, returns the worst diff. */
  private static double parityOf(TrainingMatrix train) {
    Objective objective = Objective.multiClass(CLASSES);
    TrainingMatrix holdout = matrix(ROWS.subList(4000, ROWS.size()), false);
    List<LearnerSpec> specs =
        List.of(
            new LearnerSpec("linear", LearnerKind.LINEAR, Map.of("epochs", "2")),
            new LearnerSpec("gbt", LearnerKind.GBT, Map.of("rounds", "20", "max_depth", "4")),
            new LearnerSpec("rf", LearnerKind.RF, Map.of("num_parallel_tree", "10")));
    float[] weights = new float[train.rows()];
    Arrays.fill(weights, 1f);
    List<FittedLearner> fitted = new ArrayList<>();
    double[][] inSample = new double[specs.size()][];
    for (int j = 0; j < specs.size(); j++) {
      fitted.add(Learner.of(specs.get(j).kind()).fit(specs.get(j), objective, train, weights, 7));
      inSample[j] = fitted.get(j).score(train);
      assertEquals(train.rows() * CLASSES, inSample[j].length);
    }
    Stacker stacker =
        Stacker.fit(
            objective, specs.stream().map(LearnerSpec::name).toList(), inSample, train.targets());
    try (StackedModel model = new StackedModel(objective, SPEC.width(), fitted, stacker);
        OnnxRunner runner = OnnxRunner.load(model.toOnnx())) {
      double[] expected = model.predict(holdout);
      float[][] dense = new float[holdout.rows()][];
      for (int r = 0; r < dense.length; r++) {
        dense[r] = holdout.dense(r);
      }
      float[][] actual = runner.run(dense);
      assertEquals(holdout.rows(), actual.length);
      double worst = 0;
      for (int r = 0; r < actual.length; r++) {
        assertEquals(CLASSES, actual[r].length);
        double sum = 0;
        for (int c = 0; c < CLASSES; c++) {
          worst = Math.max(worst, Math.abs(actual[r][c] - expected[r * CLASSES + c]));
          sum += expected[r * CLASSES + c];
        }
        assertEquals(1, sum, 1e-9);
      }
      // The stacker's intercepts are at the likelihood's optimum: on the rows it was fitted on,
      // the mean probability of each class is the class's share (a class never seen: about 0).
      double[] stacked = stacker.predict(inSample);
      double[] trainShare = new double[CLASSES];
      double[] meanProbability = new double[CLASSES];
      for (int r = 0; r < train.rows(); r++) {
        trainShare[(int) train.target(r)] += 1.0 / train.rows();
        for (int c = 0; c < CLASSES; c++) {
          meanProbability[c] += stacked[r * CLASSES + c] / train.rows();
        }
      }
      for (int c = 0; c < CLASSES; c++) {
        assertEquals(trainShare[c], meanProbability[c], 1e-3, "class " + c);
      }
      assertTrue(Arrays.stream(stacker.weights()).allMatch(w -> w != 0));
      return worst;
    }
  }
}
