package org.beammlops.pipelines.train;

import java.io.Serializable;
import org.beammlops.transforms.learn.LearnerSpec;

/**
 * One fit for the runner's workers: a learner on every fold but {@code fold}, scored on that fold
 * (cross-validation), or on all training rows and scored on the holdout ({@code fold = -1}).
 */
record FitTask(LearnerSpec learner, int fold) implements Serializable {
  static final int ALL = -1;

  boolean isRefit() {
    return fold == ALL;
  }

  /** A file name that says what the task was. */
  String fileName() {
    return learner.name() + (isRefit() ? "-all" : "-fold-" + fold) + ".fit";
  }
}
