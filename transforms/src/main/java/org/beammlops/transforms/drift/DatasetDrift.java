package org.beammlops.transforms.drift;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.schemas.DriftReport;
import org.beammlops.schemas.FeatureDrift;
import org.beammlops.schemas.FeatureProfile;
import org.beammlops.schemas.usecase.DriftSettings;
import org.beammlops.schemas.usecase.FieldSpec;
import org.beammlops.schemas.usecase.UseCase;

/**
 * A whole drift report from two profiles of a use case: each profiled feature and label tested by
 * {@link FeatureDriftTest}, and the dataset verdict, drift when the share of drifted features (of
 * those tested, labels not counted) reaches the use case's {@code drift.share}. Labels are tested
 * and reported beside the features (label drift) but do not count towards the share, as Evidently
 * keeps target drift apart from data drift; so are the model's predictions (prediction drift), when
 * the reference profile has them (a model's does, from its holdout) and the current data too (the
 * prediction log has them; events and files do not).
 */
public final class DatasetDrift {
  private DatasetDrift() {}

  /** What the report compares, for people and for the record. */
  public record Sides(String reference, String current, String modelName, String modelVersion)
      implements java.io.Serializable {}

  /** Compares {@code current} with {@code reference}, both profiles of {@code useCase}. */
  public static DriftReport compare(
      UseCase useCase, DatasetProfile reference, DatasetProfile current, Sides sides) {
    for (DatasetProfile p : List.of(reference, current)) {
      if (!p.getUseCase().equals(useCase.name())) {
        throw new IllegalArgumentException(
            (p == reference ? "the reference" : "the current")
                + " profile is of use case '"
                + p.getUseCase()
                + "', not '"
                + useCase.name()
                + "'");
      }
    }
    Map<String, FeatureProfile> currentByName = new LinkedHashMap<>();
    current.getFeatures().forEach(f -> currentByName.put(f.getName(), f));
    DriftSettings settings = useCase.drift();
    List<FeatureDrift> features = new ArrayList<>();
    int tested = 0;
    int drifted = 0;
    boolean noData = current.getRowCount() == 0;
    for (FeatureProfile r : reference.getFeatures()) {
      FeatureProfile c = currentByName.get(r.getName());
      if (c == null) {
        throw new IllegalArgumentException(
            "feature '" + r.getName() + "' of the reference profile is not in the current one");
      }
      String role =
          r.getName().equals(UseCase.PREDICTION_FIELD)
              ? "prediction"
              : isLabel(useCase, r.getName()) ? "label" : "feature";
      DriftSettings.Feature featureSettings = settings.feature(r.getName());
      if (noData) {
        featureSettings = new DriftSettings.Feature(false, null, null);
      }
      FeatureDrift d =
          FeatureDriftTest.test(
              FeatureDistribution.of(r), FeatureDistribution.of(c), role, featureSettings);
      if (noData) {
        d.setNote("no data in the current range");
      }
      features.add(d);
      if (role.equals("feature") && !d.getTest().equals("none")) {
        tested++;
        drifted += d.getDrifted() ? 1 : 0;
      }
    }
    double share = tested == 0 ? 0 : drifted / (double) tested;
    boolean datasetDrift = tested > 0 && share >= settings.datasetShare();
    return DriftReport.newBuilder()
        .setUseCase(useCase.name())
        .setModelName(sides.modelName())
        .setModelVersion(sides.modelVersion())
        .setReference(sides.reference())
        .setCurrent(sides.current())
        .setCreatedAt(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
        .setWindowStart(current.getWindowStart())
        .setWindowEnd(current.getWindowEnd())
        .setReferenceRows(reference.getRowCount())
        .setRowCount(current.getRowCount())
        .setVerdict(noData ? "NO_DATA" : datasetDrift ? "DRIFT" : "NO_DRIFT")
        .setTestedFeatures(tested)
        .setDriftedFeatures(drifted)
        .setDriftShare(share)
        .setDatasetDriftShare(settings.datasetShare())
        .setDrifted(datasetDrift)
        .setFeatures(features)
        .build();
  }

  private static boolean isLabel(UseCase useCase, String name) {
    return useCase.fields().stream()
        .anyMatch(f -> f.name().equals(name) && f.role() == FieldSpec.Role.LABEL);
  }
}
