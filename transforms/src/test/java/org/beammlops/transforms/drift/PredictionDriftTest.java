package org.beammlops.transforms.drift;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.schemas.DriftReport;
import org.beammlops.schemas.FeatureDrift;
import org.beammlops.schemas.FeatureProfile;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.FlightRecords;
import org.beammlops.transforms.profile.DatasetProfiler;
import org.beammlops.transforms.profile.DatasetProfiles;
import org.beammlops.transforms.profile.ProfileAccumulator;
import org.junit.Test;

/**
 * Prediction drift: the model's predictions are tested beside the features, against the
 * distribution of its predictions on its holdout, and reported apart: a shift in what the model
 * predicts is flagged on the prediction and does not count towards dataset drift.
 */
public class PredictionDriftTest {
  private static final UseCase FLIGHTS = FlightRecords.FLIGHTS;
  private static final Task DELAY15 = FLIGHTS.task("delay15");
  private static final Instant CREATED = Instant.parse("2026-12-01T00:00:00Z");

  /** Probabilities around {@code mean}, as a calibrated model of a 20% class gives. */
  private static List<Object> probabilities(long seed, double mean, int n) {
    Random random = new Random(seed);
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Math.min(1, Math.max(0, mean + 0.1 * random.nextGaussian())));
    }
    return out;
  }

  /** January's features, and the given predictions. */
  private static DatasetProfile withPredictions(List<Object> predictions) {
    DatasetProfile profile = DatasetProfiles.of(FLIGHTS, FlightsByMonth.month(1), CREATED);
    List<FeatureProfile> features = new ArrayList<>(profile.getFeatures());
    features.add(DatasetProfiler.predictions(DELAY15, predictions));
    profile.setFeatures(features);
    return profile;
  }

  private static DriftReport compare(DatasetProfile reference, DatasetProfile current) {
    return DatasetDrift.compare(
        FLIGHTS, reference, current, new DatasetDrift.Sides("holdout", "current", null, null));
  }

  private static FeatureDrift prediction(DriftReport report) {
    return report.getFeatures().stream()
        .filter(f -> f.getFeature().equals(UseCase.PREDICTION_FIELD))
        .findFirst()
        .orElseThrow();
  }

  @Test
  public void predictionsLikeTheHoldoutsAreNotFlagged() {
    DriftReport report =
        compare(
            withPredictions(probabilities(1, 0.2, 5_000)),
            withPredictions(probabilities(2, 0.2, 3_000)));
    FeatureDrift p = prediction(report);
    assertEquals("prediction", p.getRole());
    assertEquals("wasserstein", p.getTest());
    assertFalse(p.toString(), p.getDrifted());
  }

  @Test
  public void shiftedPredictionsAreFlaggedOnThePredictionAloneAndDoNotMakeDatasetDrift() {
    DriftReport report =
        compare(
            withPredictions(probabilities(1, 0.2, 5_000)),
            withPredictions(probabilities(2, 0.35, 3_000)));
    FeatureDrift p = prediction(report);
    assertTrue(p.toString(), p.getDrifted());
    assertTrue(p.getStatistic() > 1);
    assertEquals("NO_DRIFT", report.getVerdict());
    assertEquals(0, report.getDriftedFeatures());
  }

  @Test
  public void dataWithoutPredictionsSaysSoInsteadOfFlaggingThem() {
    DatasetProfiler profiler = DatasetProfiler.of(FLIGHTS).withPredictions(DELAY15);
    ProfileAccumulator acc = profiler.createAccumulator();
    for (GenericRecord r : FlightsByMonth.month(2)) {
      profiler.add(acc, r); // lake events: no prediction field
    }
    DriftReport report =
        compare(withPredictions(probabilities(1, 0.2, 5_000)), profiler.finish(acc, CREATED));
    FeatureDrift p = prediction(report);
    assertEquals("none", p.getTest());
    assertFalse(p.getDrifted());
    assertTrue(p.getNote(), p.getNote().contains("no predictions in the current data"));
  }

  @Test
  public void aMultiClassModelsPredictedClassesAreCategorical() {
    Task multi =
        Task.multiClass("delay_band", "delay", List.of("early", "on_time", "late"), List.of());
    List<Object> classes = new ArrayList<>();
    for (int i = 0; i < 900; i++) {
      classes.add(i % 3 == 0 ? "late" : "on_time");
    }
    FeatureProfile p = DatasetProfiler.predictions(multi, classes);
    assertEquals("categorical", p.getKind());
    assertEquals(Long.valueOf(300), p.getFrequencies().get("late"));
  }
}
