package org.beammlops.schemas.usecase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code drift:} settings of a use case, and every mistake in them reported at once. */
class DriftSettingsTest {
  private static final String SCHEMA =
      """
      {"type": "record", "name": "Loan", "fields": [
        {"name": "opened", "type": {"type": "long", "logicalType": "timestamp-millis"},
         "mlops": {"role": "event_time"}},
        {"name": "amount", "type": "double", "mlops": {"role": "feature"}},
        {"name": "grade", "type": "string", "mlops": {"role": "feature"}},
        {"name": "status", "type": ["null", "string"], "default": null, "mlops": {"role": "label"}}
      ]}
      """;

  @TempDir Path dir;

  private UseCase load(String drift) throws IOException {
    Path ucDir = Files.createDirectories(dir.resolve("loans"));
    Files.writeString(ucDir.resolve("loans.avsc"), SCHEMA);
    Files.writeString(
        ucDir.resolve("usecase.yaml"),
        "name: loans\nschema: loans.avsc\n"
            + "derivedFeatures:\n  - {name: month, from: opened, function: month}\n"
            + "tasks:\n  - {name: default, type: classification, label: status, positive: bad}\n"
            + drift);
    return UseCases.loadFrom(ucDir);
  }

  @Test
  void noSettingsAreTheDefaults() throws IOException {
    DriftSettings drift = load("").drift();
    assertEquals(0.5, drift.datasetShare());
    DriftSettings.Feature amount = drift.feature("amount");
    assertTrue(amount.tested());
    assertNull(amount.test());
    assertNull(amount.threshold());
  }

  @Test
  void aFeatureIsLeftOutOrGivenItsTestAndThreshold() throws IOException {
    DriftSettings drift =
        load("""
                drift:
                  share: 0.3
                  features:
                    month: false
                    amount: {test: psi, threshold: 0.2}
                    grade: {test: chi_squared}
                    status: {threshold: 0.01}
                """)
            .drift();
    assertEquals(0.3, drift.datasetShare());
    assertFalse(drift.feature("month").tested());
    assertEquals(new DriftSettings.Feature(true, "psi", 0.2), drift.feature("amount"));
    assertEquals(new DriftSettings.Feature(true, "chi_squared", null), drift.feature("grade"));
    assertEquals(new DriftSettings.Feature(true, null, 0.01), drift.feature("status"));
  }

  @Test
  void everyMistakeIsReportedNamingItsPlace() throws IOException {
    InvalidUseCaseException e =
        assertThrows(
            InvalidUseCaseException.class,
            () ->
                load(
                    """
                    drift:
                      share: 1.5
                      window: P1D
                      features:
                        amount: {test: chi_squared}
                        grade: {test: t_test, threshold: high, bins: 10}
                        nothing: false
                        opened: {test: ks}
                        status: maybe
                    """));
    String message = e.getMessage();
    for (String expected :
        new String[] {
          "drift.share must be a number above 0 and at most 1, not 1.5",
          "drift: unknown key 'window'",
          "drift.features.amount: test 'chi_squared' does not fit a numeric feature; use one of"
              + " [ks, wasserstein, psi]",
          "drift.features.grade: test 't_test' is not one of [ks, chi_squared, z, wasserstein,"
              + " jensen_shannon, psi]",
          "drift.features.grade: threshold must be a number, not high",
          "drift.features.grade: unknown key 'bins'",
          "drift.features.nothing: not a feature, derived feature or label of the use case;"
              + " profiled ones are [amount, grade, status, month]",
          "drift.features.opened: not a feature",
          "drift.features.status: must be false or {test: ..., threshold: ...}, not maybe"
        }) {
      assertTrue(message.contains(expected), () -> "missing \"" + expected + "\" in " + message);
    }
  }
}
