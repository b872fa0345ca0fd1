package org.beammlops.pipelines.train;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.beammlops.transforms.learn.LearnerKind;
import org.beammlops.transforms.learn.LearnerSpec;
import org.beammlops.transforms.learn.Objective;
import org.junit.Test;

/** The gate's comparison: lower is better, and a gain below the minimum is not one. */
public class EvaluationTest {
  @Test
  public void aGainSmallerThanTheMinimumImprovementDoesNotCount() {
    // The demo's rerun on the same data: 0.4320750904 against 0.4320750938.
    assertFalse(Evaluation.betterBy(0.4320750904, 0.4320750938, 1e-6));
    assertTrue(Evaluation.betterBy(0.4310, 0.4320750938, 1e-6));
    assertTrue(Evaluation.betterBy(0.4320750904, 0.4320750938, 0));
    assertFalse(Evaluation.betterBy(0.44, 0.43, 0));
  }

  @Test
  public void multiClassPredictionsAreEvaluatedRowByRowAgainstClassIndexes() {
    // three rows of three classes, probabilities row by row
    double[] predictions = {0.7, 0.2, 0.1, 0.1, 0.3, 0.6, 0.2, 0.5, 0.3};
    double[] targets = {0, 2, 2};
    var metrics = Evaluation.of(Objective.multiClass(3), predictions, targets);
    // rows predicted 0, 2, 1: two of three right
    assertEquals(2.0 / 3, metrics.get("accuracy"), 1e-12);
    assertEquals(
        -(Math.log(0.7) + Math.log(0.6) + Math.log(0.3)) / 3, metrics.get("log_loss"), 1e-12);
    assertEquals("log_loss", Evaluation.primaryMetric(Objective.multiClass(3)));
  }

  @Test
  public void baseLearnerClassMarginsBecomeProbabilitiesBySoftmax() {
    double[] margins = {0, Math.log(2), Math.log(3), 5, 5, 5};
    double[] p = Evaluation.predictionsOfScores(Objective.multiClass(3), margins);
    assertEquals(1.0 / 6, p[0], 1e-12);
    assertEquals(2.0 / 6, p[1], 1e-12);
    assertEquals(3.0 / 6, p[2], 1e-12);
    assertEquals(1.0 / 3, p[4], 1e-12);
  }

  @Test
  public void theMultiClassBaselineIsTheTrainingClassPrior() {
    FitResult fold0 = fit(0, new double[] {0, 0, 1});
    FitResult fold1 = fit(1, new double[] {2, 0});
    CrossValidation cv =
        new CrossValidation(Objective.multiClass(3), 2, java.util.List.of(fold0, fold1));
    double[] prior = cv.baselinePrediction();
    assertEquals(3, prior.length);
    assertEquals(3.0 / 5, prior[0], 1e-12);
    assertEquals(1.0 / 5, prior[1], 1e-12);
    assertEquals(1.0 / 5, prior[2], 1e-12);
    CrossValidation binary =
        new CrossValidation(Objective.binary(), 2, java.util.List.of(fit(0, new double[] {1, 0})));
    assertEquals(1, binary.baselinePrediction().length);
    assertEquals(0.5, binary.baselinePrediction()[0], 1e-12);
  }

  private static FitResult fit(int fold, double[] targets) {
    return new FitResult(
        new LearnerSpec("gbt", LearnerKind.GBT, java.util.Map.of()),
        fold,
        10,
        0,
        0,
        new double[targets.length * 3],
        targets,
        null);
  }
}
