package org.beammlops.transforms.features;

/**
 * A feature spec was asked for but no row came to fit it on: an empty input, or one whose rows were
 * all filtered out. A type of its own, so that a pipeline can tell this cause apart from any other
 * failure of the runner without reading messages.
 */
public final class NoRowsToFitException extends IllegalStateException {
  /** For {@code useCase}'s spec. */
  public NoRowsToFitException(String useCase) {
    super("use case '" + useCase + "': no rows to fit the feature spec on (the input is empty)");
  }
}
