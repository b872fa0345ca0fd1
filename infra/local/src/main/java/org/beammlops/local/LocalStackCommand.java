package org.beammlops.local;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.commons.lang3.exception.ExceptionUtils;
import org.apache.log4j.PropertyConfigurator;
import org.beammlops.schemas.usecase.UseCases;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code ./mlops local up|down|status}: runs the local stack (a Kafka broker and an
 * MLflow-compatible tracking server) that the pipelines use by default. Exit codes: 0 ok, 1
 * failure, 2 usage error.
 */
@Command(
    name = "mlops local",
    description =
        "Start, stop and inspect the local stack (a single-node Kafka broker, an"
            + " MLflow-compatible tracking server and the monitor).",
    footer = {
      "",
      "Environment: MLOPS_HOME (state dir), MLOPS_KAFKA_PORT, MLOPS_KAFKA_CONTROLLER_PORT,",
      "MLOPS_TRACKING_PORT, MLOPS_TRACKING_USERNAME and MLOPS_TRACKING_PASSWORD (basic auth),",
      "MLOPS_MONITOR_PORT. The monitor serves the first --use-case (default: the default one).",
      "'up' prints 'kafka: bootstrap=HOST:PORT', 'tracking: url=URL' and 'monitor: url=URL'",
      "and writes <home>/local.env."
    })
public final class LocalStackCommand implements Callable<Integer> {
  static final String COMPONENTS = "Components (default: all): kafka, tracking, monitor.";

  @Option(
      names = "--home",
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:MLOPS_HOME:-.mlops}",
      description = "State dir (default: $MLOPS_HOME, else ./.mlops).")
  Path home;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:MLOPS_KAFKA_PORT:-9092}",
      description = "Kafka client port on 127.0.0.1 (default: $MLOPS_KAFKA_PORT, else 9092).")
  int port;

  @Option(
      names = "--controller-port",
      paramLabel = "PORT",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:MLOPS_KAFKA_CONTROLLER_PORT:-9093}",
      description = "KRaft controller port (default: $MLOPS_KAFKA_CONTROLLER_PORT, else 9093).")
  int controllerPort;

  @Option(
      names = "--tracking-port",
      paramLabel = "PORT",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:MLOPS_TRACKING_PORT:-5000}",
      description = "Tracking server port on 127.0.0.1 (default: $MLOPS_TRACKING_PORT, else 5000).")
  int trackingPort;

  @Option(
      names = "--monitor-port",
      paramLabel = "PORT",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:MLOPS_MONITOR_PORT:-9470}",
      description =
          "Monitor (dashboard and /metrics) port on 127.0.0.1 (default: $MLOPS_MONITOR_PORT,"
              + " else 9470).")
  int monitorPort;

  @Option(
      names = {"--use-case", "--useCase"},
      paramLabel = "NAME",
      split = ",",
      scope = ScopeType.INHERIT,
      description = "Use case(s) whose topics 'up' creates (default: every known one).")
  List<String> useCases = List.of();

  @Option(
      names = "--partitions",
      paramLabel = "N",
      scope = ScopeType.INHERIT,
      defaultValue = "4",
      description = "Partitions of the use-case topics 'up' creates (default: 4).")
  int partitions;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Print stack traces of errors.")
  boolean verbose;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      scope = ScopeType.INHERIT,
      description = "Show this help and exit.")
  boolean help;

  @Spec CommandSpec spec;

  private final PrintStream out;

  public LocalStackCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  @Command(
      name = "up",
      description = "Start the components (and create the use-case topics on the broker).")
  int up(@Parameters(paramLabel = "COMPONENT", description = COMPONENTS) List<String> components) {
    stack().up(checked(components), out);
    return 0;
  }

  @Command(name = "down", description = "Stop the components; their data is kept.")
  int down(
      @Parameters(paramLabel = "COMPONENT", description = COMPONENTS) List<String> components) {
    stack().down(checked(components), out);
    return 0;
  }

  @Command(name = "status", description = "Print one line per component.")
  int status() {
    stack().status().forEach(status -> out.println(status.line()));
    return 0;
  }

  /** The stack these options describe. */
  LocalStack stack() {
    for (String useCase : useCases) {
      if (!UseCases.known().contains(useCase)) {
        throw usage(
            "Unknown use case '%s'. Known use cases: %s",
            useCase, String.join(", ", UseCases.known()));
      }
    }
    if (partitions < 1) {
      throw usage("--partitions must be at least 1, not %d", partitions);
    }
    BrokerSettings settings =
        new BrokerSettings(
            home,
            port,
            controllerPort,
            partitions,
            useCases,
            BrokerSettings.currentClasspath(),
            BrokerSettings.DEFAULT_MAX_HEAP);
    TrackingSettings tracking =
        new TrackingSettings(
            home,
            trackingPort,
            BrokerSettings.currentClasspath(),
            TrackingSettings.DEFAULT_MAX_HEAP);
    MonitorService monitor =
        new MonitorService(
            home,
            monitorPort,
            System.getenv().getOrDefault(MonitorService.ENV_CLASSPATH, ""),
            useCases.isEmpty() ? UseCases.loadOrDefault(null).name() : useCases.get(0),
            "127.0.0.1:" + port,
            tracking.url());
    return new LocalStack(
        home, List.of(new KafkaBroker(settings), new TrackingServer(tracking), monitor));
  }

  private List<String> checked(List<String> components) {
    List<String> names = components == null ? List.of() : components;
    List<String> known = List.of(KafkaBroker.NAME, TrackingServer.NAME, MonitorService.NAME);
    for (String name : names) {
      if (!known.contains(name)) {
        throw usage("Unknown component '%s'. Known components: %s", name, String.join(", ", known));
      }
    }
    return names;
  }

  private CommandLine.ParameterException usage(String format, Object... args) {
    return new CommandLine.ParameterException(spec.commandLine(), String.format(format, args));
  }

  /**
   * Runs the command with the given streams and returns the exit code; {@code main} exits with it.
   */
  public static int run(PrintStream out, PrintStream err, String... args) {
    LocalStackCommand command = new LocalStackCommand(out);
    return new CommandLine(command)
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .setParameterExceptionHandler(
            (ex, arguments) -> {
              err.println("error: " + ex.getMessage() + " (see --help)");
              return 2;
            })
        .setExecutionExceptionHandler(
            (ex, commandLine, parseResult) -> {
              err.println("error: " + message(ex));
              if (command.verbose) {
                ex.printStackTrace(err);
              }
              return 1;
            })
        .execute(args);
  }

  public static void main(String[] args) {
    if (System.getProperty("log4j.configuration") == null) {
      PropertyConfigurator.configure(LocalStackCommand.class.getResource("cli-log4j.properties"));
    }
    System.exit(run(System.out, System.err, args));
  }

  private static String message(Exception ex) {
    if (ex instanceof LocalStackException || ex instanceof IllegalArgumentException) {
      return ex.getMessage();
    }
    Throwable root = ExceptionUtils.getRootCause(ex);
    return root.getClass().getSimpleName() + ": " + root.getMessage() + " (--verbose for details)";
  }
}
