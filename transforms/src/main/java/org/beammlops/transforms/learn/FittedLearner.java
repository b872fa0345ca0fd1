package org.beammlops.transforms.learn;

import org.beammlops.transforms.learn.onnx.OnnxGraph;

/**
 * A base learner after fitting. Its <em>score</em> is what the stacker combines: the log odds for
 * binary classification, one margin per class for multi-class, the predicted value for regression
 * ({@link Objective#width()} scores per row).
 */
public interface FittedLearner extends AutoCloseable {

  LearnerSpec spec();

  /**
   * Scores of every row of {@code rows}, computed by the learner's own library, row by row ({@link
   * Objective#width()} per row).
   */
  double[] score(TrainingMatrix rows);

  /** The fitted model in the library's own format (Tribuo protobuf, XGBoost JSON). */
  byte[] modelBytes();

  /**
   * Adds this learner's score to {@code graph}, reading the feature vector {@code features} ([N,
   * width]), and returns the name of the [N, objective width] score tensor.
   */
  String addTo(OnnxGraph graph, String features);

  /** Releases native memory, if the library holds any. */
  @Override
  default void close() {}
}
