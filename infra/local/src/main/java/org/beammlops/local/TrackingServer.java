package org.beammlops.local;

import java.util.List;
import org.beammlops.local.tracking.TrackingServerMain;

/**
 * The local MLflow-compatible tracking and registry server ({@link TrackingServerMain}) as a
 * component of the local stack: its own JVM, state under {@code <home>/tracking} (MLflow's file
 * store in {@code mlruns/}), so runs and models survive {@code down} and {@code up}.
 */
public final class TrackingServer extends JvmHttpService {
  public static final String NAME = "tracking";
  public static final String ENV_URI = "MLFLOW_TRACKING_URI";

  private final TrackingSettings settings;

  public TrackingServer(TrackingSettings settings) {
    super(settings.dir(), settings.port(), settings.classpath(), settings.maxHeap());
    this.settings = settings;
  }

  @Override
  public String name() {
    return NAME;
  }

  public TrackingSettings settings() {
    return settings;
  }

  @Override
  String envKey() {
    return ENV_URI;
  }

  @Override
  String portHint() {
    return "--tracking-port (or MLOPS_TRACKING_PORT)";
  }

  @Override
  List<String> mainAndArguments(int port) {
    return List.of(
        TrackingServerMain.class.getName(),
        "--root=" + settings.dir(),
        "--host=127.0.0.1",
        "--port=" + port);
  }

  @Override
  String detail() {
    return "store=" + settings.dir().resolve("mlruns");
  }
}
