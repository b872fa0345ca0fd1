package org.beammlops.transforms.learn;

/** Fits one kind of base learner. */
public interface Learner {

  /**
   * Fits {@code spec} on {@code rows} with per-row {@code weights} (class weights, or all 1).
   * Binary targets are 0 or 1, multi-class ones the class index. The same inputs and seed give the
   * same model.
   */
  FittedLearner fit(
      LearnerSpec spec, Objective objective, TrainingMatrix rows, float[] weights, long seed);

  /** A learner fitted elsewhere, from its {@link FittedLearner#modelBytes()}. */
  FittedLearner restore(LearnerSpec spec, Objective objective, byte[] modelBytes, int width);

  /** Restores {@code spec}'s fitted model with the learner of its kind. */
  static FittedLearner restoreFitted(
      LearnerSpec spec, Objective objective, byte[] modelBytes, int width) {
    return of(spec.kind()).restore(spec, objective, modelBytes, width);
  }

  /** The learner for {@code kind}. */
  static Learner of(LearnerKind kind) {
    return switch (kind) {
      case LINEAR -> new TribuoLinearLearner();
      case GBT, RF -> new XGBoostLearner();
    };
  }
}
