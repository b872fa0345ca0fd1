package org.beammlops.transforms.onnx;

/** ONNX Runtime could not load a model or score a batch; the message says which and why. */
public class OnnxRunException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public OnnxRunException(String message, Throwable cause) {
    super(message, cause);
  }
}
