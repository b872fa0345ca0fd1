package org.beammlops.pipelines.batch;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.beammlops.pipelines.common.MlopsOptions;

/**
 * Options of {@code ./mlops batch-predict}: the job itself is a YAML file, the command line only
 * says where it is and how to run it (runner, tracking server, default broker).
 */
public interface BatchPredictOptions extends MlopsOptions {

  @Description(
      "The job file (YAML): source (file or kafka), model (uri), target (file or kafka), task.")
  @Validation.Required
  String getConfig();

  void setConfig(String value);

  @Description(
      "MLflow tracking server, unless the job file's model.trackingUri says; default"
          + " $MLFLOW_TRACKING_URI or http://127.0.0.1:5000.")
  String getTrackingUri();

  void setTrackingUri(String value);
}
