package org.beammlops.transforms.learn;

import org.beammlops.transforms.learn.onnx.OnnxGraph;

/**
 * A base learner after fitting. Its <em>score</em> is what the stacker combines: the margin (log
 * odds) for classification, the predicted value for regression.
 */
public interface FittedLearner extends AutoCloseable {

  LearnerSpec spec();

  /** Scores of every row of {@code rows}, computed by the learner's own library. */
  double[] score(TrainingMatrix rows);

  /** The fitted model in the library's own format (Tribuo protobuf, XGBoost JSON). */
  byte[] modelBytes();

  /**
   * Adds this learner's score to {@code graph}, reading the feature vector {@code features} ([N,
   * width]), and returns the name of the [N, 1] score tensor.
   */
  String addTo(OnnxGraph graph, String features);

  /** Releases native memory, if the library holds any. */
  @Override
  default void close() {}
}
