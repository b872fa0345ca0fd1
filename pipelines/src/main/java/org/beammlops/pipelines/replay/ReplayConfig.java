package org.beammlops.pipelines.replay;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import org.beammlops.schemas.usecase.FieldSpec;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.parse.InputFormat;

/** What the replay publisher needs, checked once on the launcher so workers cannot fail on it. */
final class ReplayConfig implements Serializable {
  enum DriftKind {
    SHIFT,
    SCALE,
    MIX
  }

  final UseCase useCase;
  final String bootstrapServers;
  final String requestsTopic;
  final String feedbackTopic;
  final InputFormat payload;
  final double rate;
  final long feedbackDelayMillis;
  final double driftShare;
  final String driftFeature;
  final DriftKind driftKind;
  final String driftAmount;
  final double badShare;
  final double labelNoise;
  final long seed;
  final long limit;

  ReplayConfig(ReplayOptions options, UseCase useCase) {
    this.useCase = useCase;
    this.bootstrapServers = options.getBootstrapServers();
    this.requestsTopic =
        options.getRequestsTopic() != null
            ? options.getRequestsTopic()
            : useCase.topics().requests();
    this.feedbackTopic =
        options.getFeedbackTopic() != null
            ? options.getFeedbackTopic()
            : useCase.topics().feedback();
    this.payload = InputFormat.of(options.getPayload(), "");
    if (payload != InputFormat.JSON && payload != InputFormat.AVRO) {
      throw new IllegalArgumentException("--payload must be json or avro");
    }
    this.rate = options.getRate();
    if (rate < 0) {
      throw new IllegalArgumentException("--rate must be >= 0");
    }
    try {
      this.feedbackDelayMillis = Duration.parse(options.getFeedbackDelay()).toMillis();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "--feedbackDelay must be an ISO-8601 duration such as PT1H, not "
              + options.getFeedbackDelay());
    }
    this.driftShare = share("--drift", options.getDrift());
    this.badShare = share("--badRecords", options.getBadRecords());
    this.labelNoise = share("--labelNoise", options.getLabelNoise());
    this.driftFeature = options.getDriftFeature();
    FieldSpec feature = driftShare > 0 ? driftFeature(useCase, driftFeature) : null;
    try {
      this.driftKind = DriftKind.valueOf(options.getDriftKind().toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--driftKind must be shift, scale or mix");
    }
    boolean numeric = feature != null && feature.kind() == FieldSpec.Kind.NUMERIC;
    if (driftShare > 0 && numeric == (driftKind == DriftKind.MIX)) {
      throw new IllegalArgumentException(
          "--driftKind="
              + options.getDriftKind()
              + " does not fit "
              + feature
              + ": use shift or scale for numeric features, mix for categorical ones");
    }
    this.driftAmount = options.getDriftAmount();
    if (driftShare > 0 && numeric) {
      try {
        Double.parseDouble(driftAmount);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--driftAmount must be a number for " + driftKind);
      }
    }
    this.seed = options.getSeed();
    this.limit = options.getLimit();
  }

  /** The feature --driftFeature names: required with --drift > 0, one of the use case's. */
  private static FieldSpec driftFeature(UseCase useCase, String name) {
    List<String> features = useCase.features().stream().map(FieldSpec::name).toList();
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(
          "--drift needs --driftFeature: one of the features of "
              + useCase.name()
              + " "
              + features);
    }
    if (!features.contains(name)) {
      throw new IllegalArgumentException(
          "--driftFeature="
              + name
              + " is not a feature of "
              + useCase.name()
              + "; features: "
              + features);
    }
    return useCase.field(name);
  }

  private static double share(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be a share between 0 and 1, not " + value);
    }
    return value;
  }
}
