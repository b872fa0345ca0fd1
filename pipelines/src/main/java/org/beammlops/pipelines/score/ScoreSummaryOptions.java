package org.beammlops.pipelines.score;

import org.apache.beam.sdk.options.Description;
import org.beammlops.pipelines.common.MlopsOptions;

/** Options of {@code ./mlops score-summary}: which lake and which score run. */
public interface ScoreSummaryOptions extends MlopsOptions {

  @Description(
      "Run id of the score job to summarize (its --runId, in its file names); default every score"
          + " run in the log.")
  String getScoreRunId();

  void setScoreRunId(String value);
}
