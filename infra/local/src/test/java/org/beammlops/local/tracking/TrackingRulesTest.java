package org.beammlops.local.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small rules the store relies on: float spelling, key validation, search parsing, paging. */
class TrackingRulesTest {

  @Test
  void metricValuesAreSpelledLikePythonRepr() {
    Map<Double, String> python =
        Map.ofEntries(
            Map.entry(0.1, "0.1"),
            Map.entry(1.5, "1.5"),
            Map.entry(-0.5, "-0.5"),
            Map.entry(100.0, "100.0"),
            Map.entry(1e-05, "1e-05"),
            Map.entry(2.5e-05, "2.5e-05"),
            Map.entry(0.0001, "0.0001"),
            Map.entry(1e16, "1e+16"),
            Map.entry(1e22, "1e+22"),
            Map.entry(1e15, "1000000000000000.0"),
            Map.entry(0.1 + 0.2, "0.30000000000000004"),
            Map.entry(123456789012345.6, "123456789012345.6"),
            Map.entry(Double.MAX_VALUE, "1.7976931348623157e+308"),
            Map.entry(Double.MIN_VALUE, "5e-324"),
            Map.entry(1.0 / 3, "0.3333333333333333"),
            Map.entry(0.0, "0.0"),
            Map.entry(Double.NaN, "nan"),
            Map.entry(Double.POSITIVE_INFINITY, "inf"),
            Map.entry(Double.NEGATIVE_INFINITY, "-inf"));
    python.forEach((value, text) -> assertEquals(text, PyFloat.repr(value), "repr of " + value));
    python.forEach(
        (value, text) -> assertEquals(value, PyFloat.parse(text), 0.0, "parse of " + text));
    assertEquals(Double.NEGATIVE_INFINITY, PyFloat.parse("-Infinity"));
    assertTrue(Double.isNaN(PyFloat.parse("NaN")));
  }

  @Test
  void keysFollowMlflowRules() {
    for (String good : List.of("loss", "val/loss", "a b", "x-1.y_2", "ünïcode", "a".repeat(250))) {
      Validation.metricName(good);
    }
    for (String bad :
        List.of(
            "",
            "..",
            "../../etc",
            "a/../b",
            "/abs",
            "a//b",
            "a/",
            "./a",
            "..a",
            "a$b",
            "a\\b",
            "a\nb",
            "a".repeat(251))) {
      MlflowError error = assertThrows(MlflowError.class, () -> Validation.metricName(bad), bad);
      assertEquals(MlflowError.INVALID_PARAMETER_VALUE, error.errorCode(), bad);
    }
    for (String bad : List.of("../../etc", "a/b", "..", ".", "50%", "")) {
      assertThrows(MlflowError.class, () -> Validation.modelName(bad), bad);
    }
    Validation.modelName("flights delay model v2");
    for (String bad :
        List.of("../x", "/etc/passwd", "a/%2e%2e/b", "a/%252e%252e/b", "a\\b", "a#b")) {
      assertThrows(MlflowError.class, () -> Validation.safeArtifactPath(bad), bad);
    }
    assertEquals("model/MLmodel", Validation.safeArtifactPath("model/MLmodel"));
    for (String bad : List.of("latest", "v1", "V12", "has space", "")) {
      assertThrows(MlflowError.class, () -> Validation.alias(bad), bad);
    }
    Validation.alias("champion");
    assertThrows(MlflowError.class, () -> Validation.runId("../abc"));
    assertThrows(MlflowError.class, () -> Validation.experimentId("models"));
  }

  @Test
  void filtersParseLikeMlflow() {
    List<Search.Clause> clauses =
        Search.parseFilter(
            "metrics.loss < 0.5 and params.\"learning rate\" = '0.1' AND tags.`mlflow.runName`"
                + " LIKE 'run-%' and attributes.status != \"FAILED\" and run_id IN ('a', 'b')"
                + " and created >= 5",
            Search.Schema.RUNS);
    assertEquals(
        List.of(
            new Search.Clause("metric", "loss", "<", 0.5),
            new Search.Clause("param", "learning rate", "=", "0.1"),
            new Search.Clause("tag", "mlflow.runName", "LIKE", "run-%"),
            new Search.Clause("attribute", "status", "!=", "FAILED"),
            new Search.Clause("attribute", "run_id", "IN", List.of("a", "b")),
            new Search.Clause("attribute", "start_time", ">=", 5.0)),
        clauses);
    for (String bad :
        List.of(
            "metrics.loss < 'x'",
            "params.lr = 0.1",
            "metrics.loss LIKE '1%'",
            "foo.bar = 'x'",
            "attributes.nope = 'x'",
            "metrics.loss < 0.5 OR metrics.loss > 1",
            "metrics.loss",
            "params.lr = 'unclosed")) {
      MlflowError error =
          assertThrows(MlflowError.class, () -> Search.parseFilter(bad, Search.Schema.RUNS), bad);
      assertEquals(MlflowError.INVALID_PARAMETER_VALUE, error.errorCode(), bad);
    }
    assertTrue(Search.like("run-%", false).matcher("run-12").matches());
    assertFalse(Search.like("run-%", false).matcher("RUN-12").matches());
    assertTrue(Search.like("run-%", true).matcher("RUN-12").matches());
    assertFalse(Search.like("a.c", false).matcher("abc").matches(), "only % and _ are wild");
    assertTrue(Search.like("a_c", false).matcher("abc").matches());
  }

  @Test
  void aLineTornByACrashIsNeverReadAndIsCutBeforeTheNextAppend(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("metrics/loss");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "1 0.5 0\n2 0.2");
    assertEquals(List.of("1 0.5 0"), StoreFiles.readCompleteLines(file));
    StoreFiles.appendLines(file, "3 0.1 2\n", true);
    assertEquals("1 0.5 0\n3 0.1 2\n", Files.readString(file));
    StoreFiles.appendLines(file, "4 0.05 3\n", false);
    assertEquals(List.of("1 0.5 0", "3 0.1 2", "4 0.05 3"), StoreFiles.readCompleteLines(file));
  }

  @Test
  void pageTokensAreMlflowOffsets() {
    assertEquals("eyJvZmZzZXQiOiAxMH0=", Search.token(10)); // base64 of {"offset": 10}
    assertEquals(10, Search.offset("eyJvZmZzZXQiOiAxMH0="));
    assertEquals(0, Search.offset(""));
    for (String bad : List.of("!!!", "bm90IGpzb24=", "e30=")) {
      assertThrows(MlflowError.class, () -> Search.offset(bad), bad);
    }
    Search.PageSlice<Integer> page = Search.page(List.of(1, 2, 3, 4, 5), Search.token(2), 2);
    assertEquals(List.of(3, 4), page.items());
    assertEquals(Search.token(4), page.nextPageToken());
  }

  @Test
  void yamlIsWrittenLikePyYaml() {
    java.util.Map<String, Object> meta = new java.util.LinkedHashMap<>();
    meta.put("name", "exp");
    meta.put("experiment_id", "0");
    meta.put("creation_time", 1700000000000L);
    meta.put("end_time", null);
    meta.put("tags", List.of());
    meta.put("aliases", Map.of("champion", "2"));
    meta.put("entry_point_name", "");
    meta.put("current_stage", "None");
    assertEquals(
        String.join(
            "\n",
            "aliases:",
            "  champion: '2'",
            "creation_time: 1700000000000",
            "current_stage: None",
            "end_time: null",
            "entry_point_name: ''",
            "experiment_id: '0'",
            "name: exp",
            "tags: []",
            ""),
        MetaYaml.dump(meta));
  }
}
