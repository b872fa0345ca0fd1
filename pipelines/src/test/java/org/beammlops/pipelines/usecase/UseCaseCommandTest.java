package org.beammlops.pipelines.usecase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UseCaseCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return UseCaseCommand.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void aConfigWithFiveMistakesGetsAllFiveReportedEachNamingItsPlace(@TempDir Path dir)
      throws IOException {
    Files.writeString(
        dir.resolve("shop.avsc"),
        """
        {"type": "record", "name": "Sale", "fields": [
          {"name": "id", "type": ["null", "string"], "default": null, "mlops": {"role": "id"}},
          {"name": "price", "type": "double", "mlops": {"role": "feature"}},
          {"name": "region", "type": "string", "mlops": {"role": "feature", "kind": "categoric"}},
          {"name": "returned", "type": ["null", "string"], "default": null,
           "mlops": {"role": "label"}}
        ]}
        """);
    Files.writeString(
        dir.resolve("usecase.yaml"),
        """
        name: shop
        schema: shop.avsc
        tasks:
          - {name: returns, type: classification, label: returned, positve: "yes"}
          - {name: price, type: regression, label: cost}
          - {name: price2, type: regression, label: price, features: [colour]}
          - {name: price2, type: regression, label: price}
        """);
    assertEquals(1, run("check", dir.toString()));
    String report = err.toString(StandardCharsets.UTF_8);
    assertTrue(report.contains("has 6 problems"), report);
    // 1: a misspelled kind, naming the field
    assertTrue(report.contains("field 'region': mlops.kind 'categoric'"), report);
    // 2: a misspelled task key, with the key it was meant to be
    assertTrue(report.contains("task 'returns': unknown key 'positve'"), report);
    // 3: ...which leaves the binary task without a positive class
    assertTrue(report.contains("task 'returns': a binary classification names exactly"), report);
    // 4: a label that is no field
    assertTrue(report.contains("task 'price': label 'cost' is not a field"), report);
    // 5: a feature that is no field
    assertTrue(report.contains("task 'price2': features names unknown field 'colour'"), report);
    // 6: two tasks with one name
    assertTrue(report.contains("task 'price2': two tasks have this name"), report);
  }

  @Test
  void aValidUseCaseIsPrintedFieldByField() {
    assertEquals(0, run("check", "src/test/resources/usecases/loans"));
    String report = out.toString(StandardCharsets.UTF_8);
    assertTrue(report.contains("use case 'loans' is valid: 7 fields, 2 tasks"), report);
    assertTrue(
        report.matches(
            "(?s).*amount\\s+feature\\s+numeric\\s+double\\s+Amount \\$\\s+default,"
                + " amount \\(label\\).*"),
        report);
    assertTrue(
        report.matches(
            "(?s).*recoveries\\s+feature\\s+numeric\\s+double\\?\\s+Recoveries \\$\\s+"
                + "amount\\n.*"),
        report);
    assertTrue(report.contains("task default (classification: status = Charged Off)"), report);
    assertTrue(report.contains("decision threshold: auto"), report);
  }

  @Test
  void wrongUsageIsAUsageError() {
    assertEquals(2, run("chek", "x"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: ./mlops usecase check"));
  }
}
