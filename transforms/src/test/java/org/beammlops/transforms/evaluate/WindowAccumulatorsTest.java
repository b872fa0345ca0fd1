package org.beammlops.transforms.evaluate;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.Test;

/**
 * The live-window accumulators equal the offline metrics over the same rows, merged in any split,
 * and ROC-AUC stays within its stated bound once there are more distinct scores than the sketch
 * keeps.
 */
public class WindowAccumulatorsTest {
  private static final double EXACT = 1e-9;

  @Test
  public void aucIsExactUpToTheCapacityAndWithinItsBoundBeyond() {
    Random random = new Random(3);
    for (int n : new int[] {50, RocAucSketch.CAPACITY, 200_000}) {
      double[] scores = new double[n];
      double[] labels = new double[n];
      RocAucSketch sketch = new RocAucSketch();
      for (int i = 0; i < n; i++) {
        labels[i] = random.nextDouble() < 0.3 ? 1 : 0;
        scores[i] = Math.min(1, Math.max(0, 0.3 + 0.25 * labels[i] + 0.2 * random.nextGaussian()));
        sketch.add(scores[i], labels[i] == 1);
      }
      double[] ones = new double[n];
      Arrays.fill(ones, 1);
      double exact = ClassificationMetrics.rocAuc(scores, labels, ones);
      if (n <= RocAucSketch.CAPACITY) {
        assertFalse(sketch.binned());
        assertEquals(0, sketch.errorBound(), 0);
        assertEquals(exact, sketch.auc(), EXACT);
      } else {
        assertTrue(sketch.binned());
        double bound = sketch.errorBound();
        assertTrue("bound " + bound, bound > 0 && bound < 1e-3);
        assertTrue(
            "exact " + exact + " sketch " + sketch.auc() + " bound " + bound,
            Math.abs(exact - sketch.auc()) <= bound);
      }
    }
  }

  @Test
  public void aucDoesNotDependOnHowRowsAreSplitAndMerged() {
    Random random = new Random(5);
    RocAucSketch whole = new RocAucSketch();
    RocAucSketch[] parts = {new RocAucSketch(), new RocAucSketch(), new RocAucSketch()};
    for (int i = 0; i < 10_000; i++) {
      double score = random.nextDouble();
      boolean positive = random.nextDouble() < score;
      whole.add(score, positive);
      parts[i % 3].add(score, positive);
    }
    RocAucSketch merged = new RocAucSketch().merge(parts[2]).merge(parts[0]).merge(parts[1]);
    assertEquals(whole.binned(), merged.binned());
    assertEquals(whole.auc(), merged.auc(), EXACT);
    assertEquals(whole.errorBound(), merged.errorBound(), EXACT);
    assertEquals(10_000, merged.positives() + merged.negatives());
  }

  /** A runner encodes accumulators on state access: the sketch's own encoding must lose nothing. */
  @Test
  public void aSerializedSketchKeepsEveryCountExactAndBinned() {
    Random random = new Random(7);
    for (int n : new int[] {0, 100, RocAucSketch.CAPACITY + 1000}) {
      RocAucSketch sketch = new RocAucSketch();
      for (int i = 0; i < n; i++) {
        double score = random.nextDouble();
        sketch.add(score, random.nextDouble() < score);
      }
      RocAucSketch copy = org.apache.beam.sdk.util.SerializableUtils.clone(sketch);
      assertEquals(sketch.binned(), copy.binned());
      assertEquals(sketch.positives(), copy.positives());
      assertEquals(sketch.negatives(), copy.negatives());
      if (n > 0) {
        assertEquals(sketch.auc(), copy.auc(), EXACT);
        assertEquals(sketch.errorBound(), copy.errorBound(), EXACT);
        copy.add(0.5, true); // the copy's map is a live one
        assertEquals(sketch.positives() + 1, copy.positives());
      }
    }
  }

  @Test
  public void binaryEqualsTheOfflineMetricsAtTheModelsDecision() {
    Random random = new Random(11);
    int n = 3_000;
    double[] p = new double[n];
    double[] y = new double[n];
    BinaryWindowAccumulator a = new BinaryWindowAccumulator();
    BinaryWindowAccumulator b = new BinaryWindowAccumulator();
    for (int i = 0; i < n; i++) {
      p[i] = random.nextDouble();
      y[i] = random.nextDouble() < p[i] ? 1 : 0;
      (i % 2 == 0 ? a : b).add(p[i], p[i] > 0.4, y[i] == 1);
    }
    Map<String, Double> live = a.merge(b).result().values();
    Map<String, Double> offline = ClassificationMetrics.of(p, y, ones(n), 0.4).asMap();
    for (String name :
        List.of("roc_auc", "log_loss", "accuracy", "precision", "recall", "f1", "brier")) {
      assertEquals(name, offline.get(name), live.get(name), EXACT);
    }
    assertEquals(offline.get("positive_rate"), live.get("observed_rate"), EXACT);
    assertEquals(Arrays.stream(p).average().orElseThrow(), live.get("mean_predicted"), EXACT);
    assertEquals(0.0, live.get("roc_auc_error_bound"), 0);
  }

  @Test
  public void oneClassOnlyLeavesAucUndefinedWithTheReason() {
    BinaryWindowAccumulator a = new BinaryWindowAccumulator();
    a.add(0.2, false, false).add(0.7, true, false);
    MetricValues m = a.result();
    assertFalse(m.values().containsKey("roc_auc"));
    assertTrue(m.undefined().get("roc_auc"), m.undefined().get("roc_auc").contains("all negative"));
    assertEquals(0.5, m.values().get("accuracy"), EXACT);

    MetricValues empty = new BinaryWindowAccumulator().result();
    assertEquals(BinaryWindowAccumulator.NO_ROWS, empty.undefined().get("log_loss"));
    assertTrue(empty.values().values().stream().allMatch(Double::isFinite));
  }

  @Test
  public void multiClassEqualsTheOfflineMetrics() {
    Random random = new Random(13);
    List<String> classes = List.of("car", "van", "bus");
    int n = 2_000;
    double[][] p = new double[n][];
    double[] y = new double[n];
    MultiClassWindowAccumulator a = new MultiClassWindowAccumulator(classes);
    MultiClassWindowAccumulator b = new MultiClassWindowAccumulator(classes);
    double brier = 0;
    for (int i = 0; i < n; i++) {
      double[] raw = {random.nextDouble(), random.nextDouble(), random.nextDouble() * 0.3};
      double sum = raw[0] + raw[1] + raw[2];
      p[i] = new double[] {raw[0] / sum, raw[1] / sum, raw[2] / sum};
      y[i] = random.nextDouble() < p[i][0] ? 0 : random.nextDouble() < 0.7 ? 1 : 2;
      int best = 0;
      for (int c = 1; c < 3; c++) {
        best = p[i][c] > p[i][best] ? c : best;
      }
      for (int c = 0; c < 3; c++) {
        brier += Math.pow(p[i][c] - (y[i] == c ? 1 : 0), 2);
      }
      (i % 3 == 0 ? a : b).add(p[i], best, (int) y[i]);
    }
    Map<String, Double> live = a.merge(b).result().values();
    Map<String, Double> offline = MultiClassMetrics.of(p, y).asMap();
    for (String name :
        List.of("accuracy", "f1_macro", "f1_weighted", "log_loss", "roc_auc_ovr_macro")) {
      assertEquals(name, offline.get(name), live.get(name), EXACT);
    }
    assertEquals(brier / n, live.get("brier"), EXACT);
    double observedBus = Arrays.stream(y).filter(v -> v == 2).count() / (double) n;
    assertEquals(observedBus, live.get("observed_rate_bus"), EXACT);
  }

  @Test
  public void regressionEqualsTheOfflineMetricsAndMapeSkipsZeroTargets() {
    Random random = new Random(17);
    int n = 1_000;
    double[] prediction = new double[n];
    double[] target = new double[n];
    RegressionWindowAccumulator a = new RegressionWindowAccumulator();
    RegressionWindowAccumulator b = new RegressionWindowAccumulator();
    double bias = 0;
    double ape = 0;
    int nonZero = 0;
    for (int i = 0; i < n; i++) {
      target[i] = i % 10 == 0 ? 0 : 20 * random.nextGaussian();
      prediction[i] = target[i] + 3 + 5 * random.nextGaussian();
      bias += prediction[i] - target[i];
      if (target[i] != 0) {
        ape += Math.abs((prediction[i] - target[i]) / target[i]);
        nonZero++;
      }
      (i % 4 == 0 ? a : b).add(prediction[i], target[i]);
    }
    Map<String, Double> live = a.merge(b).result().values();
    Map<String, Double> offline = RegressionMetrics.of(prediction, target).asMap();
    for (String name : List.of("rmse", "mae", "r2", "mean_target")) {
      assertEquals(name, offline.get(name), live.get(name), EXACT);
    }
    assertEquals(bias / n, live.get("bias"), EXACT);
    assertEquals(ape / nonZero, live.get("mape"), EXACT);

    MetricValues zeros = new RegressionWindowAccumulator().add(1, 0).add(2, 0).result();
    assertEquals("every target in the window is 0", zeros.undefined().get("mape"));
    assertTrue(zeros.undefined().containsKey("r2"));
  }

  private static double[] ones(int n) {
    double[] w = new double[n];
    Arrays.fill(w, 1);
    return w;
  }
}
