/**
 * Running ONNX graphs with ONNX Runtime through DJL: what serving ({@code inference}) and training
 * (the parity check of an exported graph) share, so that neither depends on the other.
 */
package org.beammlops.transforms.onnx;
