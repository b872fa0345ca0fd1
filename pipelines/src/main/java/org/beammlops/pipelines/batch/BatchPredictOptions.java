package org.beammlops.pipelines.batch;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.beammlops.pipelines.common.MlopsOptions;
import org.beammlops.transforms.tracking.TrackingOptions;

/**
 * Options of {@code ./mlops batch-predict}: the job itself is a YAML file, the command line only
 * says where it is and how to run it (runner, tracking server unless the job file names one,
 * default broker).
 */
public interface BatchPredictOptions extends MlopsOptions, TrackingOptions {

  @Description(
      "The job file (YAML): source (file or kafka), model (uri), target (file or kafka), task.")
  @Validation.Required
  String getConfig();

  void setConfig(String value);
}
