package org.beammlops.local;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code ./mlops monitor} of one use case as a component of the local stack: its own JVM on the
 * application's class path (which the launcher passes in {@value #ENV_CLASSPATH}, since this module
 * does not depend on the pipelines), reading the local broker and tracking server.
 */
public final class MonitorService extends JvmHttpService {
  public static final String NAME = "monitor";
  public static final String ENV_URL = "MLOPS_MONITOR_URL";
  public static final String ENV_CLASSPATH = "MLOPS_APP_CLASSPATH";
  public static final int DEFAULT_PORT = 9470;
  static final String MAIN = "org.beammlops.runners.MlopsLauncher";

  private final Path dir;
  private final String classpath;
  private final String useCase;
  private final String bootstrapServers;
  private final String trackingUri;

  public MonitorService(
      Path home,
      int port,
      String classpath,
      String useCase,
      String bootstrapServers,
      String trackingUri) {
    super(home.toAbsolutePath().normalize().resolve("monitor"), port, classpath, "512m");
    this.dir = home.toAbsolutePath().normalize().resolve("monitor");
    this.classpath = classpath;
    this.useCase = useCase;
    this.bootstrapServers = bootstrapServers;
    this.trackingUri = trackingUri;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void up(java.io.PrintStream out) {
    if (classpath.isBlank()) {
      // Only ./mlops knows where the built application is; the rest of the stack still starts.
      out.println(
          NAME
              + ": not started: the application's class path is unknown ("
              + ENV_CLASSPATH
              + " is not set); start it with ./mlops local up monitor");
      return;
    }
    super.up(out);
  }

  @Override
  String envKey() {
    return ENV_URL;
  }

  @Override
  String portHint() {
    return "--monitor-port (or MLOPS_MONITOR_PORT)";
  }

  @Override
  List<String> mainAndArguments(int port) {
    return List.of(
        MAIN,
        "monitor",
        "--useCase=" + useCase,
        "--host=127.0.0.1",
        "--port=" + port,
        "--bootstrapServers=" + bootstrapServers,
        "--trackingUri=" + trackingUri);
  }

  @Override
  String detail() {
    return "use case=" + useCase + " log=" + dir.resolve("server.log");
  }
}
