package org.beammlops.transforms.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.beammlops.schemas.usecase.Task;
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
    Stacker s = Stacker.fit(Task.Type.CLASSIFICATION, List.of("a", "b"), scores, targets);
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
    Stacker s = Stacker.fit(Task.Type.REGRESSION, List.of("a", "b"), scores, targets);
    assertEquals(2, s.weights()[0], 1e-4);
    assertEquals(3, s.weights()[1], 1e-4);
    assertEquals(1, s.bias(), 1e-4);
    assertEquals(2 * 10 + 3 + 1, s.predict(new double[] {10, 1}), 1e-3);
  }

  @Test
  void oneScoreColumnPerLearnerIsRequired() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            Stacker.fit(
                Task.Type.REGRESSION, List.of("a", "b"), new double[][] {{1}}, new double[] {1}));
  }
}
