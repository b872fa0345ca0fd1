/**
 * One ONNX graph for a whole trained ensemble. {@link
 * org.beammlops.transforms.learn.onnx.OnnxGraph} composes base learners (linear models, XGBoost
 * trees via {@link org.beammlops.transforms.learn.onnx.XGBoostModel}) and a stacker over their
 * outputs into one {@code model.onnx}; {@link org.beammlops.transforms.onnx.OnnxRunner} scores rows
 * with it through DJL's ONNX Runtime engine.
 *
 * <p>Trees read their features under the convention "zero means missing" (see {@link
 * org.beammlops.transforms.learn.onnx.OnnxGraph#zerosAsMissing}): XGBoost is trained on a sparse
 * matrix of non-zero entries, so ONNX turns zeros into NaN before the trees.
 */
package org.beammlops.transforms.learn.onnx;
