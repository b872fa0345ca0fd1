package org.beammlops.transforms.learn.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import ml.dmlc.xgboost4j.java.Booster;
import org.beammlops.transforms.onnx.OnnxRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole ensemble in one graph (a linear model and boosted trees, concatenated, under a logistic
 * stacker) computes what the same arithmetic gives in Java.
 */
class StackedGraphTest {
  private static final double TOLERANCE = 1e-5;
  private static final float[] STACKER_WEIGHTS = {1.5f, 2.0f};
  private static final float STACKER_BIAS = -1.7f;

  private static SyntheticRows scoring;
  private static Booster booster;
  private static XGBoostModel trees;
  private static float[] linearWeights;
  private static float linearBias;

  @BeforeAll
  static void train() throws Exception {
    SyntheticRows training = SyntheticRows.training(42, 2_000);
    scoring = SyntheticRows.scoring(44, 500);
    booster =
        XGBoostTraining.train(
            training, training.binaryLabel, XGBoostTraining.boostedTrees("binary:logistic"), 30);
    trees = XGBoostModel.parse(XGBoostTraining.json(booster));
    Random random = new Random(5);
    linearWeights = new float[SyntheticRows.WIDTH];
    for (int j = 0; j < linearWeights.length; j++) {
      linearWeights[j] = (float) random.nextGaussian();
    }
    linearBias = 0.25f;
  }

  @AfterAll
  static void dispose() {
    booster.dispose();
  }

  @Test
  void baseOutputsAreConcatenatedColumnByColumn() throws Exception {
    double[][] bases = basesInJava();
    float[][] onnx = run(graph(false).toBytes());
    for (int i = 0; i < bases.length; i++) {
      assertEquals(2, onnx[i].length);
      assertEquals(bases[i][0], onnx[i][0], TOLERANCE, "linear, row " + i);
      assertEquals(bases[i][1], onnx[i][1], TOLERANCE, "trees, row " + i);
    }
  }

  @Test
  void stackedProbabilityMatchesJava(@TempDir Path dir) throws Exception {
    double[][] bases = basesInJava();
    Path file = dir.resolve("model.onnx");
    Files.write(file, graph(true).toBytes());
    float[][] onnx;
    try (OnnxRunner runner = OnnxRunner.load(file)) {
      onnx = runner.run(flatten(scoring.dense), scoring.size());
    }
    for (int i = 0; i < bases.length; i++) {
      double stacked =
          sigmoid(
              STACKER_WEIGHTS[0] * bases[i][0] + STACKER_WEIGHTS[1] * bases[i][1] + STACKER_BIAS);
      assertEquals(1, onnx[i].length);
      assertEquals(stacked, onnx[i][0], TOLERANCE, "row " + i);
    }
  }

  @Test
  void oneRunnerServesConcurrentCallersTheSameAnswers() throws Exception {
    float[][] expected = run(graph(true).toBytes());
    try (OnnxRunner runner = OnnxRunner.load(graph(true).toBytes())) {
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(4);
      try {
        List<java.util.concurrent.Future<float[][]>> calls = new java.util.ArrayList<>();
        for (int c = 0; c < 16; c++) {
          calls.add(pool.submit(() -> runner.run(scoring.dense)));
        }
        for (java.util.concurrent.Future<float[][]> call : calls) {
          float[][] got = call.get();
          for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i][0], got[i][0], 0.0, "row " + i);
          }
        }
      } finally {
        pool.shutdown();
      }
    }
  }

  /** The ensemble; its output is the stacked probability, or the concatenated base outputs. */
  private static OnnxGraph graph(boolean stacked) {
    OnnxGraph g = OnnxGraph.create("ensemble", "features", SyntheticRows.WIDTH);
    String linear = g.sigmoid(g.linear(g.input(), linearWeights, linearBias));
    String boosted = g.sigmoid(g.treeEnsemble(trees, g.zerosAsMissing(g.input())));
    String bases = g.concat(List.of(linear, boosted));
    assertEquals(2, g.width(bases));
    if (stacked) {
      g.output("probability", g.sigmoid(g.linear(bases, STACKER_WEIGHTS, STACKER_BIAS)));
    } else {
      g.output("bases", bases);
    }
    return g;
  }

  /** Per row: the linear model's probability in double, and XGBoost's own probability. */
  private static double[][] basesInJava() throws Exception {
    float[] boosted = XGBoostTraining.predict(booster, scoring);
    double[][] bases = new double[scoring.size()][];
    for (int i = 0; i < bases.length; i++) {
      double z = linearBias;
      for (int j = 0; j < linearWeights.length; j++) {
        z += (double) linearWeights[j] * scoring.dense[i][j];
      }
      bases[i] = new double[] {sigmoid(z), boosted[i]};
    }
    return bases;
  }

  private static float[][] run(byte[] onnx) {
    try (OnnxRunner runner = OnnxRunner.load(onnx)) {
      return runner.run(scoring.dense);
    }
  }

  private static float[] flatten(float[][] rows) {
    float[] flat = new float[rows.length * rows[0].length];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, flat, i * rows[i].length, rows[i].length);
    }
    return flat;
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }
}
