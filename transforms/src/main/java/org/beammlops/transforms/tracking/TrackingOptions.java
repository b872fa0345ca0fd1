package org.beammlops.transforms.tracking;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Where the MLflow tracking server is and where a worker finds its credentials: options every
 * pipeline that talks to the tracking server extends. They carry the names of environment variables
 * or the path of a file, never a secret, so that neither the job's options nor its display data
 * show one; {@link TrackingSettings#fromOptions} resolves them on the launcher.
 */
public interface TrackingOptions extends PipelineOptions {
  @Description(
      "MLflow tracking server; default $MLFLOW_TRACKING_URI on the launcher, else"
          + " http://127.0.0.1:5000. Credentials do not belong here: see"
          + " --trackingCredentialsFile.")
  String getTrackingUri();

  void setTrackingUri(String value);

  @Description(
      "A Java properties file with username= and password= (basic auth) or token= (bearer),"
          + " read where the code runs: on the launcher and on every worker (mount it from a"
          + " secret). Takes precedence over the environment variables below.")
  String getTrackingCredentialsFile();

  void setTrackingCredentialsFile(String value);

  @Description("Environment variable holding the tracking user name (basic auth).")
  @Default.String(TrackingConfig.ENV_USERNAME)
  String getTrackingUsernameEnv();

  void setTrackingUsernameEnv(String value);

  @Description("Environment variable holding the tracking password (basic auth).")
  @Default.String(TrackingConfig.ENV_PASSWORD)
  String getTrackingPasswordEnv();

  void setTrackingPasswordEnv(String value);

  @Description("Environment variable holding a bearer token, used when there is no password.")
  @Default.String(TrackingConfig.ENV_TOKEN)
  String getTrackingTokenEnv();

  void setTrackingTokenEnv(String value);
}
