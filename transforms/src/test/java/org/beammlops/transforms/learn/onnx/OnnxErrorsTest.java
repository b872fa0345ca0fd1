package org.beammlops.transforms.learn.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ml.dmlc.xgboost4j.java.Booster;
import org.beammlops.transforms.onnx.OnnxRunner;
import org.junit.jupiter.api.Test;

/** Mistakes fail early, with messages that say what was expected. */
class OnnxErrorsTest {

  @Test
  void rowsOfTheWrongWidthAreRejectedByTheRunner() {
    int width = 30;
    OnnxGraph graph = OnnxGraph.create("linear", "features", width);
    graph.output("score", graph.linear(graph.input(), new float[width], 0f));
    try (OnnxRunner runner = OnnxRunner.load(graph.toBytes())) {
      assertTrue(runner.inputName().equals("features") && runner.inputWidth() == width);

      IllegalArgumentException rows =
          assertThrows(IllegalArgumentException.class, () -> runner.run(new float[4][width - 1]));
      assertMentions(rows, "29 features", "'features' takes 30 features per row");

      IllegalArgumentException flat =
          assertThrows(
              IllegalArgumentException.class, () -> runner.run(new float[4 * (width - 1)], 4));
      assertMentions(flat, "116 values are not 4 rows", "takes 30 features per row");
    }
  }

  @Test
  void anUnsupportedObjectiveIsNamed() throws Exception {
    SyntheticRows rows = SyntheticRows.training(1, 200);
    Booster booster =
        XGBoostTraining.train(
            rows, rows.binaryLabel, XGBoostTraining.boostedTrees("count:poisson"), 2);
    byte[] json = XGBoostTraining.json(booster);
    booster.dispose();
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> XGBoostModel.parse(json));
    assertMentions(error, "count:poisson", "binary:logistic, multi:softprob, reg:squarederror");
  }

  @Test
  void theDefaultBinaryFormatIsRejectedAsNotJson() throws Exception {
    SyntheticRows rows = SyntheticRows.training(1, 200);
    Booster booster =
        XGBoostTraining.train(
            rows, rows.binaryLabel, XGBoostTraining.boostedTrees("binary:logistic"), 2);
    byte[] ubjson = booster.toByteArray();
    booster.dispose();
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> XGBoostModel.parse(ubjson));
    assertMentions(error, "toByteArray(\"json\")");
  }

  @Test
  void widthMismatchesFailWhileBuildingTheGraph() throws Exception {
    SyntheticRows rows = SyntheticRows.training(1, 200);
    Booster booster =
        XGBoostTraining.train(
            rows, rows.binaryLabel, XGBoostTraining.boostedTrees("binary:logistic"), 2);
    XGBoostModel model = XGBoostModel.parse(XGBoostTraining.json(booster));
    booster.dispose();

    OnnxGraph narrow = OnnxGraph.create("narrow", "features", SyntheticRows.WIDTH - 1);
    assertMentions(
        assertThrows(
            IllegalArgumentException.class, () -> narrow.treeEnsemble(model, narrow.input())),
        "reads 30 features",
        "has 29 columns");
    assertMentions(
        assertThrows(
            IllegalArgumentException.class, () -> narrow.linear(narrow.input(), new float[3], 0f)),
        "3 weights",
        "29 columns");
    assertMentions(
        assertThrows(IllegalArgumentException.class, () -> narrow.sigmoid("nowhere")),
        "no tensor named 'nowhere'");
    assertMentions(
        assertThrows(
            IllegalArgumentException.class, () -> narrow.output(narrow.input(), narrow.input())),
        "'features' is already taken");
    assertMentions(assertThrows(IllegalStateException.class, narrow::toBytes), "no output");
  }

  private static void assertMentions(Exception error, String... fragments) {
    for (String fragment : fragments) {
      assertTrue(
          error.getMessage().contains(fragment),
          "expected '" + fragment + "' in: " + error.getMessage());
    }
  }
}
