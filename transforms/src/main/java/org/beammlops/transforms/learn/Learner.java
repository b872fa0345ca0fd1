package org.beammlops.transforms.learn;

import org.beammlops.schemas.usecase.Task;

/** Fits one kind of base learner. */
public interface Learner {

  /**
   * Fits {@code spec} on {@code rows} with per-row {@code weights} (class weights, or all 1).
   * Classification targets are 0 or 1. The same inputs and seed give the same model.
   */
  FittedLearner fit(
      LearnerSpec spec, Task.Type type, TrainingMatrix rows, float[] weights, long seed);

  /** A learner fitted elsewhere, from its {@link FittedLearner#modelBytes()}. */
  FittedLearner restore(LearnerSpec spec, Task.Type type, byte[] modelBytes, int width);

  /** Restores {@code spec}'s fitted model with the learner of its kind. */
  static FittedLearner restoreFitted(
      LearnerSpec spec, Task.Type type, byte[] modelBytes, int width) {
    return of(spec.kind()).restore(spec, type, modelBytes, width);
  }

  /** The learner for {@code kind}. */
  static Learner of(LearnerKind kind) {
    return switch (kind) {
      case LINEAR -> new TribuoLinearLearner();
      case GBT, RF -> new XGBoostLearner();
    };
  }
}
