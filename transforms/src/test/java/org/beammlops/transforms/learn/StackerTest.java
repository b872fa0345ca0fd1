package org.beammlops.transforms.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StackerTest {

  @Test
  void logisticStackerRecoversTheWeightsThatGeneratedTheLabels() {
    Random random = new Random(1);
    int n = 50_000;
    double[][] scores = new double[2][n];
    double[] targets = new double[n];
    for (int r = 0; r < n; r++) {
      scores[0][r] = random.nextGaussian();
      scores[1][r] = random.nextGaussian();
      double z = 0.8 * scores[0][r] - 1.5 * scores[1][r] - 0.3;
      targets[r] = random.nextDouble() < Stacker.sigmoid(z) ? 1 : 0;
    }
    Stacker s = Stacker.fit(Objective.binary(), List.of("a", "b"), scores, targets);
    assertEquals(0.8, s.weights()[0], 0.05);
    assertEquals(-1.5, s.weights()[1], 0.05);
    assertEquals(-0.3, s.bias(), 0.05);
  }

  @Test
  void linearStackerIsTheLeastSquaresFit() {
    double[][] scores = {{1, 2, 3, 4, 5}, {0, 1, 0, 1, 0}};
    double[] targets = new double[5];
    for (int r = 0; r < 5; r++) {
      targets[r] = 2 * scores[0][r] + 3 * scores[1][r] + 1;
    }
    Stacker s = Stacker.fit(Objective.regression(), List.of("a", "b"), scores, targets);
    assertEquals(2, s.weights()[0], 1e-4);
    assertEquals(3, s.weights()[1], 1e-4);
    assertEquals(1, s.bias(), 1e-4);
    assertEquals(2 * 10 + 3 + 1, s.predict(new double[][] {{10}, {1}})[0], 1e-3);
  }

  @Test
  void oneScoreColumnPerLearnerIsRequired() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            Stacker.fit(
                Objective.regression(), List.of("a", "b"), new double[][] {{1}}, new double[] {1}));
  }

  @Test
  void multinomialStackerRecoversTheWeightsAndInterceptsThatGeneratedTheClasses() {
    Random random = new Random(2);
    int n = 40_000;
    int k = 3;
    double[] intercepts = {0.4, -0.2, -0.9};
    double[][] scores = new double[2][n * k];
    double[] targets = new double[n];
    double[] z = new double[k];
    double[] p = new double[k];
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < k; c++) {
        scores[0][r * k + c] = random.nextGaussian();
        scores[1][r * k + c] = random.nextGaussian();
        z[c] = 1.2 * scores[0][r * k + c] + 0.5 * scores[1][r * k + c] + intercepts[c];
      }
      Objective.softmax(z, 0, k, p);
      double u = random.nextDouble();
      targets[r] = u < p[0] ? 0 : u < p[0] + p[1] ? 1 : 2;
    }
    Stacker s = Stacker.fit(Objective.multiClass(k), List.of("a", "b"), scores, targets);
    assertEquals(1.2, s.weights()[0], 0.05);
    assertEquals(0.5, s.weights()[1], 0.05);
    // intercepts are identified up to a common constant: compare their differences
    assertEquals(intercepts[1] - intercepts[0], s.intercepts()[1] - s.intercepts()[0], 0.05);
    assertEquals(intercepts[2] - intercepts[0], s.intercepts()[2] - s.intercepts()[0], 0.05);
    double[] predicted = s.predict(scores);
    assertEquals(n * k, predicted.length);
    for (int r = 0; r < n; r += 997) {
      assertEquals(1, predicted[r * k] + predicted[r * k + 1] + predicted[r * k + 2], 1e-12);
    }
    assertThrows(IllegalStateException.class, s::bias);
  }

  @Test
  void withTwoClassesTheMultinomialStackerIsTheBinaryOne() {
    Random random = new Random(3);
    int n = 5_000;
    double[][] logOdds = new double[2][n];
    double[][] margins = new double[2][2 * n]; // class 0's margin 0, class 1's the log odds
    double[] targets = new double[n];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < 2; j++) {
        logOdds[j][r] = 2 * random.nextGaussian();
        margins[j][2 * r + 1] = logOdds[j][r];
      }
      double z = 0.7 * logOdds[0][r] + 0.2 * logOdds[1][r] + 0.5;
      targets[r] = random.nextDouble() < Stacker.sigmoid(z) ? 1 : 0;
    }
    Stacker binary = Stacker.fit(Objective.binary(), List.of("a", "b"), logOdds, targets);
    Stacker multi = Stacker.fit(Objective.multiClass(2), List.of("a", "b"), margins, targets);
    assertEquals(binary.weights()[0], multi.weights()[0], 1e-6);
    assertEquals(binary.weights()[1], multi.weights()[1], 1e-6);
    assertEquals(binary.bias(), multi.intercepts()[1] - multi.intercepts()[0], 1e-5);
    double[] pBinary = binary.predict(logOdds);
    double[] pMulti = multi.predict(margins);
    for (int r = 0; r < n; r++) {
      assertEquals(pBinary[r], pMulti[2 * r + 1], 1e-6);
    }
  }

  @Test
  void aTargetThatIsNoClassIndexIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Stacker.fit(
                    Objective.multiClass(3),
                    List.of("a"),
                    new double[][] {{0, 0, 0, 1, 1, 1}},
                    new double[] {0, 3}));
    assertTrue(e.getMessage().contains("no class index"), e.getMessage());
  }
}
