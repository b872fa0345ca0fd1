package org.beammlops.transforms.learn.onnx;

import java.util.HashMap;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/** Trains real XGBoost models on {@link SyntheticRows} the way the trainer does (sparse CSR). */
final class XGBoostTraining {
  private XGBoostTraining() {}

  /** Boosted trees: hist, depth 4, 30 rounds. */
  static Map<String, Object> boostedTrees(String objective) {
    Map<String, Object> params = common(objective);
    params.put("max_depth", 4);
    params.put("eta", 0.3);
    return params;
  }

  /** A random forest: 20 parallel trees in one round, eta 1, row and column subsampling. */
  static Map<String, Object> randomForest(String objective) {
    Map<String, Object> params = common(objective);
    params.put("max_depth", 6);
    params.put("eta", 1.0);
    params.put("num_parallel_tree", 20);
    params.put("subsample", 0.8);
    params.put("colsample_bynode", 0.8);
    return params;
  }

  private static Map<String, Object> common(String objective) {
    Map<String, Object> params = new HashMap<>();
    params.put("objective", objective);
    params.put("tree_method", "hist");
    params.put("seed", 7);
    params.put("nthread", 1);
    params.put("verbosity", 0);
    return params;
  }

  static Booster train(SyntheticRows rows, float[] labels, Map<String, Object> params, int rounds)
      throws XGBoostError {
    DMatrix matrix = rows.sparseMatrix(labels);
    try {
      return XGBoost.train(matrix, params, rounds, Map.of(), null, null);
    } finally {
      matrix.dispose();
    }
  }

  /** XGBoost's own prediction for each row (probability or value), from the sparse matrix. */
  static float[] predict(Booster booster, SyntheticRows rows) throws XGBoostError {
    DMatrix matrix = rows.sparseMatrix(null);
    try {
      float[][] predictions = booster.predict(matrix);
      float[] result = new float[predictions.length];
      for (int i = 0; i < result.length; i++) {
        result[i] = predictions[i][0];
      }
      return result;
    } finally {
      matrix.dispose();
    }
  }

  /** The model as the trainer hands it to {@link XGBoostModel#parse}. */
  static byte[] json(Booster booster) throws XGBoostError {
    return booster.toByteArray("json");
  }
}
