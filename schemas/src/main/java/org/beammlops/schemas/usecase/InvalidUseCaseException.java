package org.beammlops.schemas.usecase;

import java.util.List;

/**
 * A use case whose schema or config is wrong, with every problem found (each naming its field, task
 * or key), so that one run of {@code mlops usecase check} shows them all.
 */
public final class InvalidUseCaseException extends IllegalArgumentException {
  private final String useCase;
  private final List<String> problems;

  public InvalidUseCaseException(String useCase, List<String> problems) {
    super(
        "use case '"
            + useCase
            + "' has "
            + problems.size()
            + (problems.size() == 1 ? " problem" : " problems")
            + ":\n  - "
            + String.join("\n  - ", problems));
    this.useCase = useCase;
    this.problems = List.copyOf(problems);
  }

  public String useCase() {
    return useCase;
  }

  /** Each problem in one sentence, in the order found. */
  public List<String> problems() {
    return problems;
  }
}
