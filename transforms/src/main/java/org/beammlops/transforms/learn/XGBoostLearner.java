package org.beammlops.transforms.learn;

import java.util.LinkedHashMap;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.beammlops.transforms.learn.onnx.OnnxGraph;
import org.beammlops.transforms.learn.onnx.XGBoostModel;

/**
 * Gradient-boosted trees and random forests with XGBoost ({@code hist}). A forest is XGBoost's own
 * recipe: one round of {@code num_parallel_tree} trees, no shrinkage, row and column sampling.
 *
 * <p>Multi-class is XGBoost's {@code multi:softprob}: one tree per class and round, scored as one
 * margin per class.
 *
 * <p>Params (GBT defaults / RF defaults): {@code rounds} (100 / 1), {@code max_depth} (6 / 8),
 * {@code eta} (0.1 / 1), {@code min_child_weight} (1 / 1), {@code subsample} (0.8 / 0.63), {@code
 * colsample_bytree} (0.8 / 1), {@code colsample_bynode} (1 / 0.6), {@code lambda} (1 / 0), {@code
 * alpha} (0), {@code num_parallel_tree} (1 / 100), {@code nthread} (1: parallelism comes from the
 * runner's workers, and a fixed thread count keeps results reproducible).
 */
final class XGBoostLearner implements Learner {

  @Override
  public FittedLearner fit(
      LearnerSpec spec, Objective objective, TrainingMatrix rows, float[] weights, long seed) {
    boolean forest = spec.kind() == LearnerKind.RF;
    Map<String, Object> params = new LinkedHashMap<>();
    switch (objective.type()) {
      case REGRESSION -> params.put("objective", "reg:squarederror");
      case CLASSIFICATION -> params.put("objective", "binary:logistic");
      case MULTICLASS -> {
        params.put("objective", "multi:softprob");
        params.put("num_class", objective.classes());
      }
    }
    params.put("tree_method", "hist");
    params.put("max_depth", spec.intParam("max_depth", forest ? 8 : 6));
    params.put("eta", spec.doubleParam("eta", forest ? 1.0 : 0.1));
    params.put("min_child_weight", spec.doubleParam("min_child_weight", 1));
    params.put("subsample", spec.doubleParam("subsample", forest ? 0.63 : 0.8));
    params.put("colsample_bytree", spec.doubleParam("colsample_bytree", forest ? 1.0 : 0.8));
    params.put("colsample_bynode", spec.doubleParam("colsample_bynode", forest ? 0.6 : 1.0));
    params.put("lambda", spec.doubleParam("lambda", forest ? 0.0 : 1.0));
    params.put("alpha", spec.doubleParam("alpha", 0));
    params.put("num_parallel_tree", spec.intParam("num_parallel_tree", forest ? 100 : 1));
    params.put("nthread", spec.intParam("nthread", 1));
    params.put("seed", seed);
    params.put("verbosity", 0);
    int rounds = spec.intParam("rounds", forest ? 1 : 100);
    if (objective.isClassification()) {
      checkTwoClasses(spec, rows);
    }
    try (Matrix data = Matrix.of(rows)) {
      data.matrix.setWeight(weights);
      Booster booster = XGBoost.train(data.matrix, params, rounds, Map.of(), null, null);
      return new Fitted(spec, objective, booster);
    } catch (XGBoostError e) {
      throw new IllegalStateException(
          "XGBoost failed to fit '" + spec.name() + "': " + e.getMessage(), e);
    }
  }

  @Override
  public FittedLearner restore(
      LearnerSpec spec, Objective objective, byte[] modelBytes, int width) {
    try {
      return new Fitted(spec, objective, XGBoost.loadModel(modelBytes));
    } catch (XGBoostError | java.io.IOException e) {
      throw new IllegalStateException(
          "cannot read the XGBoost model of '" + spec.name() + "': " + e.getMessage(), e);
    }
  }

  /** Fails unless the rows hold at least two classes (targets 0/1 or class indexes). */
  static void checkTwoClasses(LearnerSpec spec, TrainingMatrix rows) {
    boolean two = false;
    for (int r = 1; r < rows.rows() && !two; r++) {
      two = rows.target(r) != rows.target(0);
    }
    if (!two) {
      throw new IllegalArgumentException(
          "learner '" + spec.name() + "': the training rows hold a single class");
    }
  }

  /** A DMatrix over the non-zero entries; absent entries are missing to XGBoost. */
  private static final class Matrix implements AutoCloseable {
    final DMatrix matrix;

    private Matrix(DMatrix matrix) {
      this.matrix = matrix;
    }

    static Matrix of(TrainingMatrix rows) throws XGBoostError {
      DMatrix m =
          new DMatrix(
              rows.rowStart(), rows.columns(), rows.values(), DMatrix.SparseType.CSR, rows.width());
      float[] labels = new float[rows.rows()];
      for (int r = 0; r < labels.length; r++) {
        labels[r] = (float) rows.target(r);
      }
      m.setLabel(labels);
      return new Matrix(m);
    }

    @Override
    public void close() {
      matrix.dispose();
    }
  }

  private static final class Fitted implements FittedLearner {
    private final LearnerSpec spec;
    private final int width;
    private final Booster booster;

    Fitted(LearnerSpec spec, Objective objective, Booster booster) {
      this.spec = spec;
      this.width = objective.width();
      this.booster = booster;
    }

    @Override
    public LearnerSpec spec() {
      return spec;
    }

    @Override
    public double[] score(TrainingMatrix rows) {
      try (Matrix data = Matrix.of(rows)) {
        float[][] margins = booster.predict(data.matrix, true);
        double[] out = new double[margins.length * width];
        for (int r = 0; r < margins.length; r++) {
          for (int c = 0; c < width; c++) {
            out[r * width + c] = margins[r][c];
          }
        }
        return out;
      } catch (XGBoostError e) {
        throw new IllegalStateException("XGBoost failed to predict: " + e.getMessage(), e);
      }
    }

    @Override
    public byte[] modelBytes() {
      try {
        return booster.toByteArray("json");
      } catch (XGBoostError e) {
        throw new IllegalStateException("XGBoost failed to save its model: " + e.getMessage(), e);
      }
    }

    @Override
    public String addTo(OnnxGraph graph, String features) {
      return graph.treeEnsemble(XGBoostModel.parse(modelBytes()), graph.zerosAsMissing(features));
    }

    @Override
    public void close() {
      booster.dispose();
    }
  }
}
