package org.beammlops.transforms.learn;

import java.util.Arrays;

/**
 * Feature vectors and targets of a training set, stored as compressed sparse rows of the non-zero
 * entries: vectors are mostly one-hot blocks, and 3 million dense rows of a few hundred columns
 * would not fit in memory.
 *
 * <p>Zero and absent are the same thing here. The tree learners inherit XGBoost's reading of an
 * absent CSR entry as <em>missing</em>, which the exported ONNX graph reproduces by mapping zeros
 * to NaN in front of its trees.
 */
public final class TrainingMatrix {
  private final int width;
  private final long[] rowStart;
  private final int[] columns;
  private final float[] values;
  private final double[] targets;

  private TrainingMatrix(
      int width, long[] rowStart, int[] columns, float[] values, double[] targets) {
    this.width = width;
    this.rowStart = rowStart;
    this.columns = columns;
    this.values = values;
    this.targets = targets;
  }

  public static Builder builder(int width) {
    return new Builder(width);
  }

  public int rows() {
    return targets.length;
  }

  public int width() {
    return width;
  }

  public double target(int row) {
    return targets[row];
  }

  /** The targets, one per row (a copy). */
  public double[] targets() {
    return targets.clone();
  }

  /** Row offsets into {@link #columns()} / {@link #values()}, {@code rows() + 1} of them. */
  long[] rowStart() {
    return rowStart;
  }

  int[] columns() {
    return columns;
  }

  float[] values() {
    return values;
  }

  /** Number of non-zero entries in {@code row}. */
  public int nonZeros(int row) {
    return (int) (rowStart[row + 1] - rowStart[row]);
  }

  /** Column of the {@code k}-th non-zero entry of {@code row}. */
  public int column(int row, int k) {
    return columns[(int) rowStart[row] + k];
  }

  /** Value of the {@code k}-th non-zero entry of {@code row}. */
  public float value(int row, int k) {
    return values[(int) rowStart[row] + k];
  }

  /** The row as the dense vector the feature spec produced (and the ONNX graph consumes). */
  public float[] dense(int row) {
    float[] out = new float[width];
    for (long k = rowStart[row]; k < rowStart[row + 1]; k++) {
      out[columns[(int) k]] = values[(int) k];
    }
    return out;
  }

  /** The rows at {@code selection}, in that order. */
  public TrainingMatrix select(int[] selection) {
    Builder b = new Builder(width);
    for (int row : selection) {
      int from = (int) rowStart[row];
      int to = (int) rowStart[row + 1];
      b.addSparse(
          Arrays.copyOfRange(columns, from, to),
          Arrays.copyOfRange(values, from, to),
          targets[row]);
    }
    return b.build();
  }

  /** Accumulates rows; arrays grow geometrically. */
  public static final class Builder {
    private final int width;
    private long[] rowStart = new long[1025];
    private int[] columns = new int[8192];
    private float[] values = new float[8192];
    private double[] targets = new double[1024];
    private int rows;
    private int entries;

    private Builder(int width) {
      if (width <= 0) {
        throw new IllegalArgumentException("a training matrix needs at least one column");
      }
      this.width = width;
    }

    /** Adds one dense feature vector (its zeros are dropped) and its target. */
    public Builder add(float[] vector, double target) {
      if (vector.length != width) {
        throw new IllegalArgumentException(
            "vector has " + vector.length + " columns, the matrix " + width);
      }
      ensureRow();
      for (int c = 0; c < vector.length; c++) {
        float v = vector[c];
        if (v != 0f) {
          ensureEntry();
          columns[entries] = c;
          values[entries] = v;
          entries++;
        }
      }
      return finishRow(target);
    }

    private Builder addSparse(int[] cols, float[] vals, double target) {
      ensureRow();
      for (int k = 0; k < cols.length; k++) {
        ensureEntry();
        columns[entries] = cols[k];
        values[entries] = vals[k];
        entries++;
      }
      return finishRow(target);
    }

    private Builder finishRow(double target) {
      targets[rows] = target;
      rows++;
      rowStart[rows] = entries;
      return this;
    }

    private void ensureRow() {
      if (rows + 1 >= targets.length) {
        targets = Arrays.copyOf(targets, targets.length * 2);
        rowStart = Arrays.copyOf(rowStart, targets.length + 1);
      }
    }

    private void ensureEntry() {
      if (entries == columns.length) {
        columns = Arrays.copyOf(columns, columns.length * 2);
        values = Arrays.copyOf(values, values.length * 2);
      }
    }

    public int rows() {
      return rows;
    }

    public TrainingMatrix build() {
      return new TrainingMatrix(
          width,
          Arrays.copyOf(rowStart, rows + 1),
          Arrays.copyOf(columns, entries),
          Arrays.copyOf(values, entries),
          Arrays.copyOf(targets, rows));
    }
  }
}
