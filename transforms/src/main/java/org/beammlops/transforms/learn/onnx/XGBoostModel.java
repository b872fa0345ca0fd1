package org.beammlops.transforms.learn.onnx;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An XGBoost tree model (boosted trees or a random forest, one output or one per class of {@code
 * multi:softprob}), read from the JSON that {@code Booster.toByteArray("json")} or {@code
 * Booster.saveModel("….json")} writes. Its raw margin for a row is {@link #baseMargin()} plus the
 * leaf value of every tree, whatever {@code num_parallel_tree} was: XGBoost already divides a
 * forest's learning rate among its trees.
 */
public record XGBoostModel(
    XGBoostObjective objective,
    float baseScore,
    int numFeature,
    int numParallelTree,
    int numClass,
    List<XGBoostTree> trees,
    List<Integer> treeClasses) {

  // Numbers stay decimal until each is rounded once to float: going through double first could
  // move a split threshold by one float ulp, and rows sitting on it would then go the other way.
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  public XGBoostModel {
    trees = List.copyOf(trees);
    treeClasses = List.copyOf(treeClasses);
    if (treeClasses.size() != trees.size()) {
      throw new IllegalArgumentException(
          trees.size() + " trees but " + treeClasses.size() + " tree classes (tree_info)");
    }
    for (int c : treeClasses) {
      if (c < 0 || c >= Math.max(1, numClass)) {
        throw new IllegalArgumentException(
            "a tree of class " + c + " in a model of " + numClass + " classes");
      }
    }
  }

  /** The margins per row: the number of classes of a multi-class model, else 1. */
  public int outputs() {
    return Math.max(1, numClass);
  }

  /** The output (class) tree {@code tree} adds its leaf to. */
  public int outputOf(int tree) {
    return treeClasses.get(tree);
  }

  /**
   * Where the sum of leaves starts, for every output: logit(base_score) for logistic, base_score
   * for regression and multi-class.
   */
  public float baseMargin() {
    return objective.baseMargin(baseScore);
  }

  /**
   * Reads XGBoost's JSON model format (XGBoost 2.x; the bracketed {@code base_score} of 3.x too).
   *
   * @throws IllegalArgumentException if the JSON is not such a model, or uses an objective, a
   *     booster, categorical splits or several regression targets this package cannot express
   */
  public static XGBoostModel parse(byte[] json) {
    JsonNode learner;
    try {
      learner = JSON.readTree(json).path("learner");
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "not JSON: write the XGBoost model with toByteArray(\"json\") (the default is UBJSON)",
          e);
    }
    XGBoostObjective objective = XGBoostObjective.named(text(learner, "objective", "name"));
    JsonNode params = learner.path("learner_model_param");
    requireAtMostOne(params, "num_target");
    int numClass = Integer.parseInt(params.path("num_class").asText("0"));
    if ((numClass > 1) != (objective == XGBoostObjective.MULTI_SOFTPROB)) {
      throw new IllegalArgumentException(
          "objective " + objective.xgboostName() + " with num_class " + numClass);
    }
    String booster = text(learner, "gradient_booster", "name");
    if (!booster.equals("gbtree")) {
      throw new IllegalArgumentException(
          "unsupported XGBoost booster '" + booster + "'; supported: gbtree");
    }
    JsonNode model = learner.path("gradient_booster").path("model");
    List<XGBoostTree> trees = new ArrayList<>();
    for (JsonNode tree : required(model, "trees")) {
      trees.add(parseTree(tree, trees.size()));
    }
    // tree_info: the class of each tree (all 0 for a single output)
    List<Integer> treeClasses = new ArrayList<>();
    for (int c : ints(required(model, "tree_info"))) {
      treeClasses.add(c);
    }
    return new XGBoostModel(
        objective,
        parseBaseScore(text(params, "base_score")),
        Integer.parseInt(text(params, "num_feature")),
        Integer.parseInt(text(model, "gbtree_model_param", "num_parallel_tree")),
        numClass,
        trees,
        treeClasses);
  }

  private static XGBoostTree parseTree(JsonNode tree, int index) {
    int leafSize = Integer.parseInt(text(tree, "tree_param", "size_leaf_vector"));
    if (leafSize > 1) {
      throw new IllegalArgumentException(
          "tree " + index + " has vector leaves (size_leaf_vector " + leafSize + ")");
    }
    for (JsonNode splitType : tree.path("split_type")) {
      if (splitType.asInt() != 0) {
        throw new IllegalArgumentException(
            "tree " + index + " has a categorical split, which is not supported");
      }
    }
    JsonNode defaults = required(tree, "default_left");
    boolean[] defaultLeft = new boolean[defaults.size()];
    for (int i = 0; i < defaultLeft.length; i++) {
      // 0/1 in XGBoost 2.x, true/false in some older writers.
      JsonNode value = defaults.get(i);
      defaultLeft[i] = value.isBoolean() ? value.booleanValue() : value.asInt() != 0;
    }
    return new XGBoostTree(
        ints(required(tree, "left_children")),
        ints(required(tree, "right_children")),
        ints(required(tree, "split_indices")),
        floats(required(tree, "split_conditions")),
        defaultLeft);
  }

  /** XGBoost 2.x writes {@code "5E-1"}, 3.x a one-element vector {@code "[5E-1]"}. */
  private static float parseBaseScore(String text) {
    String value = text.strip();
    if (value.startsWith("[") && value.endsWith("]")) {
      value = value.substring(1, value.length() - 1).strip();
    }
    if (value.contains(",")) {
      throw new IllegalArgumentException("base_score holds several values: " + text);
    }
    return Float.parseFloat(value);
  }

  private static void requireAtMostOne(JsonNode params, String field) {
    JsonNode value = params.path(field);
    if (!value.isMissingNode() && Integer.parseInt(value.asText()) > 1) {
      throw new IllegalArgumentException(
          "only one regression target is supported, got " + field + " " + value.asText());
    }
  }

  private static String text(JsonNode node, String... path) {
    JsonNode value = node;
    for (String field : path) {
      value = value.path(field);
    }
    if (!value.isValueNode()) {
      throw new IllegalArgumentException(
          "not an XGBoost JSON model: no value at " + String.join(".", path));
    }
    return value.asText();
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.path(field);
    if (!value.isArray()) {
      throw new IllegalArgumentException("not an XGBoost JSON model: no array " + field);
    }
    return value;
  }

  private static int[] ints(JsonNode array) {
    int[] values = new int[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).asInt();
    }
    return values;
  }

  private static float[] floats(JsonNode array) {
    float[] values = new float[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = Float.parseFloat(array.get(i).asText());
    }
    return values;
  }
}
