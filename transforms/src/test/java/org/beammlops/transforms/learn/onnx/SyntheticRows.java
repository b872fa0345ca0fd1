package org.beammlops.transforms.learn.onnx;

import java.util.Random;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Seeded rows shaped like the trainer's feature vectors: a few standardized numeric columns that
 * are sometimes exactly 0, then one-hot blocks. Training rows never use a block's last level, so
 * scoring rows that do carry a category the trees never saw.
 */
final class SyntheticRows {
  static final int NUMERIC = 6;
  static final int BLOCKS = 3;
  static final int LEVELS = 8;
  static final int WIDTH = NUMERIC + BLOCKS * LEVELS;

  final float[][] dense;

  /** A 0/1 label, drawn with probability sigmoid(score). */
  final float[] binaryLabel;

  /** A regression label of a few tens. */
  final float[] regressionLabel;

  private SyntheticRows(int n) {
    dense = new float[n][WIDTH];
    binaryLabel = new float[n];
    regressionLabel = new float[n];
  }

  /** Rows to train on: every block's last level is left out. */
  static SyntheticRows training(long seed, int n) {
    return generate(new Random(seed), n, LEVELS - 1, false);
  }

  /** Rows to score: all levels, some rows with an empty block or with every numeric at 0. */
  static SyntheticRows scoring(long seed, int n) {
    return generate(new Random(seed), n, LEVELS, true);
  }

  private static SyntheticRows generate(Random random, int n, int levelsUsed, boolean oddRows) {
    SyntheticRows rows = new SyntheticRows(n);
    for (int i = 0; i < n; i++) {
      float[] row = rows.dense[i];
      boolean allNumericZero = oddRows && i % 10 == 0;
      for (int j = 0; j < NUMERIC; j++) {
        float value = (float) random.nextGaussian();
        row[j] = allNumericZero || random.nextDouble() < 0.15 ? 0f : value;
      }
      int[] levels = new int[BLOCKS];
      for (int b = 0; b < BLOCKS; b++) {
        levels[b] = random.nextInt(levelsUsed);
        boolean emptyBlock = oddRows && i % 7 == b;
        if (!emptyBlock) {
          row[NUMERIC + b * LEVELS + levels[b]] = 1f;
        }
      }
      double score =
          1.2 * row[0]
              - 0.8 * row[1]
              + 0.6 * row[2] * row[3]
              + 0.3 * levels[0]
              - 1.0
              + (levels[1] == 2 || levels[1] == 5 ? 1.0 : 0.0);
      rows.binaryLabel[i] = random.nextDouble() < 1 / (1 + Math.exp(-score)) ? 1f : 0f;
      rows.regressionLabel[i] = (float) (20 + 6 * score + random.nextGaussian());
    }
    return rows;
  }

  int size() {
    return dense.length;
  }

  /** The rows as XGBoost sees them in training: CSR holding only the non-zero entries. */
  DMatrix sparseMatrix(float[] labels) throws XGBoostError {
    int nonZero = 0;
    for (float[] row : dense) {
      for (float value : row) {
        nonZero += value != 0f ? 1 : 0;
      }
    }
    long[] rowHeaders = new long[dense.length + 1];
    int[] columns = new int[nonZero];
    float[] values = new float[nonZero];
    int k = 0;
    for (int i = 0; i < dense.length; i++) {
      for (int j = 0; j < WIDTH; j++) {
        if (dense[i][j] != 0f) {
          columns[k] = j;
          values[k++] = dense[i][j];
        }
      }
      rowHeaders[i + 1] = k;
    }
    DMatrix matrix = new DMatrix(rowHeaders, columns, values, DMatrix.SparseType.CSR, WIDTH);
    if (labels != null) {
      matrix.setLabel(labels);
    }
    return matrix;
  }

  /** Whether row {@code i} sets a block's last level, never seen in training. */
  boolean hasUnseenLevel(int i) {
    for (int b = 0; b < BLOCKS; b++) {
      if (dense[i][NUMERIC + b * LEVELS + LEVELS - 1] != 0f) {
        return true;
      }
    }
    return false;
  }

  /** Whether row {@code i} has a numeric column exactly 0. */
  boolean hasNumericZero(int i) {
    for (int j = 0; j < NUMERIC; j++) {
      if (dense[i][j] == 0f) {
        return true;
      }
    }
    return false;
  }
}
