package org.beammlops.transforms.learn.onnx;

import static org.beammlops.transforms.learn.onnx.OnnxProtos.floats;
import static org.beammlops.transforms.learn.onnx.OnnxProtos.intAttribute;
import static org.beammlops.transforms.learn.onnx.OnnxProtos.ints;
import static org.beammlops.transforms.learn.onnx.OnnxProtos.string;
import static org.beammlops.transforms.learn.onnx.OnnxProtos.strings;

import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Translates an {@link XGBoostModel} into one ONNX-ML {@code TreeEnsembleRegressor} node (opset 3
 * attributes) whose output is the model's raw margin, [N, 1], or one margin per class [N, K] for a
 * multi-class model (each tree adds its leaves to its own class).
 *
 * <p>XGBoost sends a row left when {@code x < threshold}, so a branch is {@code BRANCH_LT} with the
 * left child as its true node; a missing (NaN) value follows {@code default_left}. Only nodes
 * reachable from a root are emitted, so nodes XGBoost pruned but kept in its arrays are dropped.
 */
final class TreeEnsembleRegressorNode {
  static final String OP_TYPE = "TreeEnsembleRegressor";

  private final List<Long> treeIds = new ArrayList<>();
  private final List<Long> nodeIds = new ArrayList<>();
  private final List<Long> featureIds = new ArrayList<>();
  private final List<Float> thresholds = new ArrayList<>();
  private final List<String> modes = new ArrayList<>();
  private final List<Long> trueIds = new ArrayList<>();
  private final List<Long> falseIds = new ArrayList<>();
  private final List<Long> missingGoesTrue = new ArrayList<>();
  private final List<Long> leafTreeIds = new ArrayList<>();
  private final List<Long> leafNodeIds = new ArrayList<>();
  private final List<Float> leafWeights = new ArrayList<>();
  private final List<Long> leafTargets = new ArrayList<>();

  private TreeEnsembleRegressorNode() {}

  /**
   * The node computing {@code model}'s margin from {@code input}, whose width must cover every
   * feature the trees split on.
   */
  static NodeProto of(XGBoostModel model, String input, String output, String nodeName) {
    TreeEnsembleRegressorNode node = new TreeEnsembleRegressorNode();
    List<XGBoostTree> trees = model.trees();
    for (int treeId = 0; treeId < trees.size(); treeId++) {
      node.addTree(treeId, trees.get(treeId), model.outputOf(treeId));
    }
    return node.build(model, input, output, nodeName);
  }

  private void addTree(int treeId, XGBoostTree tree, int target) {
    Deque<Integer> pending = new ArrayDeque<>();
    pending.push(0);
    while (!pending.isEmpty()) {
      int nodeId = pending.pop();
      treeIds.add((long) treeId);
      nodeIds.add((long) nodeId);
      if (tree.isLeaf(nodeId)) {
        featureIds.add(0L);
        thresholds.add(0f);
        modes.add("LEAF");
        trueIds.add(0L);
        falseIds.add(0L);
        missingGoesTrue.add(0L);
        leafTreeIds.add((long) treeId);
        leafNodeIds.add((long) nodeId);
        leafWeights.add(tree.splitConditions()[nodeId]);
        leafTargets.add((long) target);
      } else {
        int left = tree.leftChildren()[nodeId];
        int right = tree.rightChildren()[nodeId];
        featureIds.add((long) tree.splitIndices()[nodeId]);
        thresholds.add(tree.splitConditions()[nodeId]);
        modes.add("BRANCH_LT");
        trueIds.add((long) left);
        falseIds.add((long) right);
        missingGoesTrue.add(tree.defaultLeft()[nodeId] ? 1L : 0L);
        pending.push(right);
        pending.push(left);
      }
    }
  }

  private NodeProto build(XGBoostModel model, String input, String output, String nodeName) {
    List<Float> baseValues = new ArrayList<>();
    for (int o = 0; o < model.outputs(); o++) {
      baseValues.add(model.baseMargin());
    }
    return NodeProto.newBuilder()
        .setName(nodeName)
        .setOpType(OP_TYPE)
        .setDomain(OnnxGraph.ML_DOMAIN)
        .addInput(input)
        .addOutput(output)
        .addAttribute(intAttribute("n_targets", model.outputs()))
        .addAttribute(string("aggregate_function", "SUM"))
        .addAttribute(string("post_transform", "NONE"))
        .addAttribute(floats("base_values", baseValues))
        .addAttribute(ints("nodes_treeids", treeIds))
        .addAttribute(ints("nodes_nodeids", nodeIds))
        .addAttribute(ints("nodes_featureids", featureIds))
        .addAttribute(floats("nodes_values", thresholds))
        .addAttribute(strings("nodes_modes", modes))
        .addAttribute(ints("nodes_truenodeids", trueIds))
        .addAttribute(ints("nodes_falsenodeids", falseIds))
        .addAttribute(ints("nodes_missing_value_tracks_true", missingGoesTrue))
        .addAttribute(ints("target_treeids", leafTreeIds))
        .addAttribute(ints("target_nodeids", leafNodeIds))
        .addAttribute(ints("target_ids", leafTargets))
        .addAttribute(floats("target_weights", leafWeights))
        .build();
  }
}
