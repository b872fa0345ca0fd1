package org.beammlops.transforms.drift;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.schemas.DriftReport;
import org.beammlops.schemas.FeatureDrift;
import org.beammlops.schemas.FeatureProfile;
import org.beammlops.schemas.usecase.DriftSettings;
import org.beammlops.transforms.FlightRecords;
import org.beammlops.transforms.profile.DatasetProfiler;
import org.beammlops.transforms.profile.DatasetProfiles;
import org.junit.Test;

/** The drift tests on the inputs that break naive implementations: each gives a clear answer. */
public class FeatureDriftBadInputTest {
  private static final Instant CREATED = Instant.parse("2026-12-01T00:00:00Z");
  private static final DriftSettings.Feature DEFAULTS = new DriftSettings.Feature(true, null, null);

  private static KllDoublesSketch sketch(double... values) {
    KllDoublesSketch s = KllDoublesSketch.newHeapInstance(DatasetProfiler.SKETCH_K);
    for (double v : values) {
      s.update(v);
    }
    return s;
  }

  private static FeatureDistribution numeric(long missing, double stddev, double... values) {
    return new FeatureDistribution(
        "x", true, values.length, missing, stddev, values.length, sketch(values), Map.of());
  }

  @Test
  public void aFeatureEntirelyMissingInTheCurrentDataIsDriftNotSilence() {
    FeatureDrift d =
        FeatureDriftTest.test(
            numeric(0, 1.0, 1, 2, 3, 4, 5, 6, 7), numeric(40, 0), "feature", DEFAULTS);
    assertTrue(d.getDrifted());
    assertNull(d.getStatistic());
    assertTrue(d.getNote(), d.getNote().contains("stopped arriving"));
    assertEquals(40, d.getCurrentMissing());
    // a label missing from the current data (the prediction log) is not tested
    FeatureDrift label =
        FeatureDriftTest.test(
            numeric(0, 1.0, 1, 2, 3, 4, 5, 6, 7), numeric(40, 0), "label", DEFAULTS);
    assertFalse(label.getDrifted());
    assertEquals("none", label.getTest());
  }

  @Test
  public void aReferenceWithZeroVarianceDividesByEvidentlysFloorAndKsStillWorks() {
    double[] constant = new double[50];
    java.util.Arrays.fill(constant, 7.0);
    double[] shifted = new double[50];
    java.util.Arrays.fill(shifted, 8.0);
    FeatureDistribution reference = numeric(0, 0.0, constant);
    FeatureDrift ks =
        FeatureDriftTest.test(
            reference,
            numeric(0, 0.0, shifted),
            "feature",
            new DriftSettings.Feature(true, "ks", null));
    assertEquals(1.0, ks.getStatistic(), 0);
    assertTrue(ks.getPValue() < 1e-6);
    FeatureDrift w =
        FeatureDriftTest.test(
            reference,
            numeric(0, 0.0, shifted),
            "feature",
            new DriftSettings.Feature(true, "wasserstein", null));
    assertEquals(1.0 / 0.001, w.getStatistic(), 1e-9); // distance 1 over the 0.001 floor
    assertTrue(Double.isFinite(w.getPsi()));
    FeatureDrift same =
        FeatureDriftTest.test(
            reference,
            numeric(0, 0.0, constant),
            "feature",
            new DriftSettings.Feature(true, "wasserstein", null));
    assertEquals(0.0, same.getStatistic(), 0);
    assertFalse(same.getDrifted());
  }

  @Test
  public void anEmptyCurrentProfileIsANoDataReportWithoutNaN() {
    DatasetProfile reference =
        DatasetProfiles.of(FlightRecords.FLIGHTS, FlightsByMonth.month(1).subList(0, 500), CREATED);
    DatasetProfile empty = DatasetProfiles.of(FlightRecords.FLIGHTS, List.of(), CREATED);
    DriftReport report =
        DatasetDrift.compare(
            FlightRecords.FLIGHTS, reference, empty, new DatasetDrift.Sides("r", "c", null, null));
    assertEquals("NO_DATA", report.getVerdict());
    assertFalse(report.getDrifted());
    assertEquals(0, report.getTestedFeatures());
    String json = new String(DriftReportJson.json(report), java.nio.charset.StandardCharsets.UTF_8);
    assertFalse(json, json.contains("NaN") || json.contains("Infinity"));
    // and the page renders
    assertTrue(
        DriftReportPage.render(report, reference, empty).contains("data-verdict=\"NO_DATA\""));
  }

  @Test
  public void aReferenceOfAnotherUseCaseIsAnErrorNamingBoth() {
    DatasetProfile flights =
        DatasetProfiles.of(FlightRecords.FLIGHTS, FlightsByMonth.month(1).subList(0, 100), CREATED);
    DatasetProfile loans = DatasetProfile.newBuilder(flights).setUseCase("loans").build();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DatasetDrift.compare(
                    FlightRecords.FLIGHTS,
                    loans,
                    flights,
                    new DatasetDrift.Sides("r", "c", null, null)));
    assertTrue(e.getMessage(), e.getMessage().contains("'loans', not 'flights'"));
  }

  @Test
  public void aFormatOneProfileOfANumericFeatureIsAnErrorThatSaysWhatToDo() {
    FeatureProfile old =
        FeatureProfile.newBuilder(
                DatasetProfiles.of(
                        FlightRecords.FLIGHTS, FlightsByMonth.month(1).subList(0, 100), CREATED)
                    .getFeatures()
                    .get(0))
            .setSketch(null)
            .build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FeatureDistribution.of(old));
    assertTrue(e.getMessage(), e.getMessage().contains("train the model again"));
  }
}
