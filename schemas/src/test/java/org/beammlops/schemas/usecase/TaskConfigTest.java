package org.beammlops.schemas.usecase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Task kinds, per-task features, source names and the collection of every problem at once. */
class TaskConfigTest {

  /** A schema of loans: a text status, a numeric amount, a leaky field and odd source names. */
  private static final String LOANS =
      """
      {"type": "record", "name": "Loan", "fields": [
        {"name": "id", "type": ["null", "string"], "default": null, "mlops": {"role": "id"}},
        {"name": "opened", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}],
         "default": null, "aliases": ["Opened On"], "mlops": {"role": "event_time"}},
        {"name": "amount", "type": "double", "mlops": {"role": "feature", "source": "Amount $"}},
        {"name": "grade", "type": "string", "mlops": {"role": "feature", "source": "Grade (A-E)"}},
        {"name": "status", "type": ["null", "string"], "default": null,
         "mlops": {"role": "label"}},
        {"name": "recoveries", "type": ["null", "double"], "default": null,
         "mlops": {"role": "feature", "leaks": ["status"]}}
      ]}
      """;

  @TempDir Path dir;

  private UseCase load(String tasks) throws IOException {
    return UseCases.loadFrom(write(tasks, LOANS));
  }

  private Path write(String tasks, String schema) throws IOException {
    Path ucDir = Files.createDirectories(dir.resolve("loans"));
    Files.writeString(ucDir.resolve("loans.avsc"), schema);
    Files.writeString(
        ucDir.resolve("usecase.yaml"),
        "name: loans\nschema: loans.avsc\n"
            + "derivedFeatures:\n  - {name: month, from: opened, function: month}\n"
            + "tasks:\n"
            + tasks);
    return ucDir;
  }

  @Test
  void binaryTaskOnAStringLabelWithANamedPositiveClass() throws IOException {
    UseCase loans =
        load("  - {name: default, type: classification, label: status, positive: Charged Off}\n");
    Task task = loans.task("default");
    assertEquals(Task.Type.CLASSIFICATION, task.type());
    assertTrue(task.isBinary());
    assertEquals(1.0, task.target("Charged Off"));
    assertEquals(1.0, task.target(new Utf8("Charged Off")));
    assertEquals(0.0, task.target("Fully Paid"));
    assertNull(task.target(null));
    assertEquals(List.of("not Charged Off", "Charged Off"), task.outputClasses());
    assertEquals(Optional.empty(), task.fixedThreshold());
  }

  @Test
  void binaryTaskPositiveUnlessAClassWithAFixedThreshold() throws IOException {
    UseCase loans =
        load(
            "  - {name: troubled, type: classification, label: status, positiveUnless: Current,"
                + " threshold: 0.3}\n");
    Task task = loans.task("troubled");
    assertEquals(0.0, task.target("Current"));
    assertEquals(1.0, task.target("Late"));
    assertEquals(Optional.of(0.3), task.fixedThreshold());
  }

  @Test
  void multiClassTaskOnDeclaredClasses() throws IOException {
    UseCase loans =
        load(
            "  - {name: status, type: classification, label: status,"
                + " classes: [Current, Late, Charged Off]}\n");
    Task task = loans.task("status");
    assertEquals(Task.Type.MULTICLASS, task.type());
    assertEquals(2.0, task.target("Charged Off"));
    assertEquals(0.0, task.target(new Utf8("Current")));
    assertNull(task.target("Unknown"));
    assertEquals(List.of("Current", "Late", "Charged Off"), task.outputClasses());
    assertEquals(Set.of("Current", "Late", "Charged Off"), loans.labelClasses("status"));
    assertEquals(Set.of(), loans.labelClasses("amount"));
  }

  @Test
  void aFieldIsTheLabelOfOneTaskAndAFeatureOfAnother() throws IOException {
    UseCase loans =
        load(
            "  - {name: amount, type: regression, label: amount}\n"
                + "  - {name: default, type: classification, label: status, positive: Charged"
                + " Off}\n");
    // amount: every feature but its own label; the leaky field stays, it leaks status only
    assertEquals(List.of("grade", "recoveries", "month"), loans.task("amount").features());
    // default: recoveries leaks status, declared once on the field
    assertEquals(List.of("amount", "grade", "month"), loans.task("default").features());
    assertEquals(
        List.of("amount", "grade"),
        loans.features(loans.task("default")).stream().map(FieldSpec::name).toList());
    assertEquals(
        List.of("month"),
        loans.derivedFeatures(loans.task("default")).stream().map(DerivedFeature::name).toList());
  }

  @Test
  void aTaskListsAndExcludesFeatures() throws IOException {
    UseCase loans =
        load(
            "  - {name: a, type: regression, label: amount, features: [grade, status]}\n"
                + "  - {name: b, type: regression, label: amount, exclude: [month, grade]}\n");
    assertEquals(List.of("grade", "status"), loans.task("a").features());
    assertEquals(List.of("recoveries"), loans.task("b").features());
  }

  @Test
  void sourceNamesComeFromTheMlopsPropertyAndAvroAliases() throws IOException {
    UseCase loans = load("  - {name: amount, type: regression, label: amount}\n");
    assertEquals(List.of("amount", "Amount $"), loans.field("amount").sourceNames());
    assertEquals(List.of("opened", "Opened On"), loans.field("opened").sourceNames());
    assertEquals(List.of("id"), loans.field("id").sourceNames());
  }

  @Test
  void everyMistakeIsReportedAtOnceEachNamingItsPlace() throws IOException {
    String schema =
        LOANS.replace(
            "\"mlops\": {\"role\": \"feature\", \"source\": \"Grade (A-E)\"}",
            "\"mlops\": {\"role\": \"feature\", \"source\": \"Amount $\"}");
    InvalidUseCaseException e =
        assertThrows(
            InvalidUseCaseException.class,
            () ->
                UseCases.loadFrom(
                    write(
                        "  - {name: a, type: regression, label: status}\n"
                            + "  - {name: a, type: regression, label: amount}\n"
                            + "  - {name: b, type: regression, label: amount, features: [colour]}\n"
                            + "  - {name: c, type: classification, label: amount}\n"
                            + "  - {name: d, type: classification, label: status, classes: [X]}\n"
                            + "  - {name: e, type: classification, label: status, positive: Y,"
                            + " threshold: 7}\n",
                        schema)));
    List<String> problems = e.problems();
    assertEquals(7, problems.size(), String.join("\n", problems));
    assertTrue(problems.get(0).contains("field 'grade': source name 'Amount $'"), problems.get(0));
    assertTrue(problems.get(1).contains("task 'a': regression needs a numeric label"));
    assertTrue(problems.get(2).contains("task 'a': two tasks have this name"));
    assertTrue(problems.get(3).contains("task 'b': features names unknown field 'colour'"));
    assertTrue(problems.get(4).contains("task 'c': a binary classification names exactly one"));
    assertTrue(problems.get(5).contains("task 'd': a multi-class task needs classes"));
    assertTrue(problems.get(6).contains("task 'e': threshold '7' is auto or a probability"));
    assertTrue(e.getMessage().contains("7 problems"), e.getMessage());
  }

  @Test
  void aFeatureThatIsAlsoItsOwnLabelOrLeaksItIsRefused() throws IOException {
    InvalidUseCaseException e =
        assertThrows(
            InvalidUseCaseException.class,
            () ->
                load(
                    "  - {name: c, type: regression, label: amount, features: [amount, grade]}\n"
                        + "  - {name: d, type: classification, label: status, positive: X,"
                        + " features: [recoveries]}\n"
                        + "  - {name: e, type: regression, label: amount, thresold: 1}\n"));
    assertEquals(3, e.problems().size(), String.join("\n", e.problems()));
    assertTrue(e.problems().get(0).contains("'amount' is both its label and one of its features"));
    assertTrue(e.problems().get(1).contains("feature 'recoveries' leaks its label 'status'"));
    assertTrue(e.problems().get(2).contains("unknown key 'thresold'"), e.problems().get(2));
  }
}
