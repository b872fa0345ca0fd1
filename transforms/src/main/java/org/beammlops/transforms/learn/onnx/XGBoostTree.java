package org.beammlops.transforms.learn.onnx;

/**
 * One regression tree of an XGBoost model, in the parallel arrays of XGBoost's JSON format: node
 * {@code i} is a leaf when {@code leftChildren[i] == -1}, and then {@code splitConditions[i]} is
 * its value (learning rate already applied); otherwise a row goes left when {@code
 * x[splitIndices[i]] < splitConditions[i]}, and left when the value is missing if {@code
 * defaultLeft[i]}. Node 0 is the root.
 */
public record XGBoostTree(
    int[] leftChildren,
    int[] rightChildren,
    int[] splitIndices,
    float[] splitConditions,
    boolean[] defaultLeft) {

  /** XGBoost's child index for "no child". */
  public static final int NO_CHILD = -1;

  public XGBoostTree {
    int n = leftChildren.length;
    if (n == 0
        || rightChildren.length != n
        || splitIndices.length != n
        || splitConditions.length != n
        || defaultLeft.length != n) {
      throw new IllegalArgumentException(
          "tree arrays must be non-empty and of one length, got left_children "
              + n
              + ", right_children "
              + rightChildren.length
              + ", split_indices "
              + splitIndices.length
              + ", split_conditions "
              + splitConditions.length
              + ", default_left "
              + defaultLeft.length);
    }
  }

  public int nodeCount() {
    return leftChildren.length;
  }

  public boolean isLeaf(int node) {
    return leftChildren[node] == NO_CHILD;
  }
}
