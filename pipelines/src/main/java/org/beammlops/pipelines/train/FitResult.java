package org.beammlops.pipelines.train;

import java.io.Serializable;
import org.beammlops.transforms.learn.LearnerSpec;

/**
 * What one {@link FitTask} produced: the scores of the rows it predicted (the held-out fold, or the
 * holdout set), their targets in the same order, the timings, and for a refit the model.
 */
record FitResult(
    LearnerSpec learner,
    int fold,
    int trainRows,
    double fitSeconds,
    double scoreSeconds,
    double[] scores,
    double[] targets,
    byte[] modelBytes)
    implements Serializable {}
