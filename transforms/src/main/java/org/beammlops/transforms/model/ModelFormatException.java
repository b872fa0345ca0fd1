package org.beammlops.transforms.model;

/**
 * A directory that is not an MLflow model this project can serve, or a model that cannot be
 * written.
 */
public class ModelFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ModelFormatException(String message) {
    super(message);
  }

  public ModelFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
