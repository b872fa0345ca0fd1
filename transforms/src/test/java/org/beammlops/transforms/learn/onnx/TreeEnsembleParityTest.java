package org.beammlops.transforms.learn.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ml.dmlc.xgboost4j.java.Booster;
import org.beammlops.transforms.onnx.OnnxRunner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ONNX Runtime running the exported tree ensemble gives what XGBoost predicts from its sparse
 * matrix, row by row, including rows whose zeros must take XGBoost's default directions.
 */
class TreeEnsembleParityTest {
  private static final double TOLERANCE = 1e-5;
  private static final int ROUNDS = 30;

  private static SyntheticRows training;
  private static SyntheticRows scoring;

  @BeforeAll
  static void rows() {
    training = SyntheticRows.training(42, 2_000);
    scoring = SyntheticRows.scoring(43, 1_000);
    int unseen = 0;
    int numericZero = 0;
    for (int i = 0; i < scoring.size(); i++) {
      unseen += scoring.hasUnseenLevel(i) ? 1 : 0;
      numericZero += scoring.hasNumericZero(i) ? 1 : 0;
    }
    assertTrue(unseen > 100, "scoring rows with a level unseen in training: " + unseen);
    assertTrue(numericZero > 300, "scoring rows with a numeric exactly 0: " + numericZero);
  }

  @Test
  void boostedLogisticProbabilitiesMatchXGBoost() throws Exception {
    Booster booster =
        XGBoostTraining.train(
            training,
            training.binaryLabel,
            XGBoostTraining.boostedTrees("binary:logistic"),
            ROUNDS);
    XGBoostModel model = XGBoostModel.parse(XGBoostTraining.json(booster));
    assertEquals(XGBoostObjective.BINARY_LOGISTIC, model.objective());
    assertEquals(ROUNDS, model.trees().size());

    float[] expected = XGBoostTraining.predict(booster, scoring);
    assertClose(expected, score(model, true, true));
    booster.dispose();
  }

  @Test
  void withoutZerosAsMissingTheTreesDisagreeWithXGBoost() throws Exception {
    Booster booster =
        XGBoostTraining.train(
            training,
            training.binaryLabel,
            XGBoostTraining.boostedTrees("binary:logistic"),
            ROUNDS);
    XGBoostModel model = XGBoostModel.parse(XGBoostTraining.json(booster));
    float[] expected = XGBoostTraining.predict(booster, scoring);
    float[] raw = score(model, true, false);
    int differing = 0;
    for (int i = 0; i < expected.length; i++) {
      differing += Math.abs(expected[i] - raw[i]) > TOLERANCE ? 1 : 0;
    }
    // Proves the data exercises default directions: the convention is not a no-op here.
    assertTrue(differing > 100, "rows differing when zeros are fed as zeros: " + differing);
    booster.dispose();
  }

  @Test
  void boostedRegressionMarginsMatchXGBoost() throws Exception {
    Booster booster =
        XGBoostTraining.train(
            training,
            training.regressionLabel,
            XGBoostTraining.boostedTrees("reg:squarederror"),
            ROUNDS);
    XGBoostModel model = XGBoostModel.parse(XGBoostTraining.json(booster));
    assertEquals(XGBoostObjective.SQUARED_ERROR, model.objective());
    assertEquals(model.baseScore(), model.baseMargin());

    float[] expected = XGBoostTraining.predict(booster, scoring);
    assertTrue(mean(expected) > 10, "regression predictions are a few tens");
    assertClose(expected, score(model, false, true));
    booster.dispose();
  }

  @ParameterizedTest
  @ValueSource(strings = {"binary:logistic", "reg:squarederror"})
  void randomForestMatchesXGBoost(String objective) throws Exception {
    boolean logistic = objective.equals("binary:logistic");
    Booster booster =
        XGBoostTraining.train(
            training,
            logistic ? training.binaryLabel : training.regressionLabel,
            XGBoostTraining.randomForest(objective),
            1);
    XGBoostModel model = XGBoostModel.parse(XGBoostTraining.json(booster));
    assertEquals(20, model.numParallelTree());
    assertEquals(20, model.trees().size());

    float[] expected = XGBoostTraining.predict(booster, scoring);
    assertClose(expected, score(model, logistic, true));
    booster.dispose();
  }

  /** The model exported alone, run by ONNX Runtime on the dense scoring rows. */
  private static float[] score(XGBoostModel model, boolean logistic, boolean zerosAsMissing) {
    OnnxGraph graph = OnnxGraph.create("trees", "features", SyntheticRows.WIDTH);
    String x = zerosAsMissing ? graph.zerosAsMissing(graph.input()) : graph.input();
    String margin = graph.treeEnsemble(model, x);
    graph.output("prediction", logistic ? graph.sigmoid(margin) : margin);
    try (OnnxRunner runner = OnnxRunner.load(graph.toBytes())) {
      float[][] output = runner.run(scoring.dense);
      float[] result = new float[output.length];
      for (int i = 0; i < output.length; i++) {
        assertEquals(1, output[i].length);
        result[i] = output[i][0];
      }
      return result;
    }
  }

  private static void assertClose(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      double error = Math.abs(expected[i] - actual[i]) / Math.max(1, Math.abs(expected[i]));
      worst = Math.max(worst, error);
      if (error > TOLERANCE) {
        fail("row " + i + ": XGBoost " + expected[i] + ", ONNX " + actual[i]);
      }
    }
    System.out.println("worst relative error " + worst);
  }

  private static double mean(float[] values) {
    double sum = 0;
    for (float value : values) {
      sum += value;
    }
    return sum / values.length;
  }
}
