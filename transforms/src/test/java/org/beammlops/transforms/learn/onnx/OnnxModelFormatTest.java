package org.beammlops.transforms.learn.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import ml.dmlc.xgboost4j.java.Booster;
import org.junit.jupiter.api.Test;

/** What the exported model declares, and how XGBoost's JSON is read. */
class OnnxModelFormatTest {

  @Test
  void modelDeclaresIrVersionOpsetsAndProducer() throws Exception {
    OnnxGraph graph = OnnxGraph.create("g", "features", 3);
    graph.output("probability", graph.sigmoid(graph.linear(graph.input(), new float[3], 1f)));
    ModelProto model = ModelProto.parseFrom(graph.toBytes());

    assertEquals(8, model.getIrVersion());
    assertEquals("beam-mlops", model.getProducerName());
    Map<String, Long> opsets =
        model.getOpsetImportList().stream()
            .collect(
                Collectors.toMap(OperatorSetIdProto::getDomain, OperatorSetIdProto::getVersion));
    assertEquals(Map.of("", 13L, "ai.onnx.ml", 3L), opsets);
    assertEquals("features", model.getGraph().getInput(0).getName());
    assertEquals("probability", model.getGraph().getOutput(0).getName());
  }

  @Test
  void treeEnsembleIsOneMlDomainNodeWithBaseMargin() throws Exception {
    SyntheticRows rows = SyntheticRows.training(3, 300);
    Booster booster =
        XGBoostTraining.train(
            rows, rows.binaryLabel, XGBoostTraining.boostedTrees("binary:logistic"), 3);
    XGBoostModel model = XGBoostModel.parse(XGBoostTraining.json(booster));
    booster.dispose();

    OnnxGraph graph = OnnxGraph.create("g", "features", SyntheticRows.WIDTH);
    graph.output("margin", graph.treeEnsemble(model, graph.input()));
    NodeProto node = ModelProto.parseFrom(graph.toBytes()).getGraph().getNode(0);

    assertEquals("TreeEnsembleRegressor", node.getOpType());
    assertEquals("ai.onnx.ml", node.getDomain());
    float baseValue =
        node.getAttributeList().stream()
            .filter(a -> a.getName().equals("base_values"))
            .findFirst()
            .orElseThrow()
            .getFloats(0);
    double logit = Math.log(model.baseScore() / (1.0 - model.baseScore()));
    assertEquals(logit, baseValue, 1e-6);
  }

  @Test
  void bracketedBaseScoreOfXGBoost3IsRead() throws Exception {
    SyntheticRows rows = SyntheticRows.training(3, 300);
    Booster booster =
        XGBoostTraining.train(
            rows, rows.regressionLabel, XGBoostTraining.boostedTrees("reg:squarederror"), 2);
    String json = new String(XGBoostTraining.json(booster), StandardCharsets.UTF_8);
    booster.dispose();
    String bracketed = json.replaceFirst("\"base_score\":\"([^\"]*)\"", "\"base_score\":\"[$1]\"");

    XGBoostModel v2 = XGBoostModel.parse(json.getBytes(StandardCharsets.UTF_8));
    XGBoostModel v3 = XGBoostModel.parse(bracketed.getBytes(StandardCharsets.UTF_8));
    assertEquals(v2.baseScore(), v3.baseScore());
    assertEquals(v2.trees().size(), v3.trees().size());
  }
}
