/**
 * Evaluation metrics of a model's predictions against the truth: {@link
 * org.beammlops.transforms.evaluate.ClassificationMetrics} and {@link
 * org.beammlops.transforms.evaluate.RegressionMetrics}, for the holdout and cross-validation of the
 * training pipeline, with accumulators that merge for the feedback-metrics pipeline's windows.
 */
package org.beammlops.transforms.evaluate;
