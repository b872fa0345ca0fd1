package org.beammlops.runners;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Quiet by default: the libraries' log lines (Beam, Flink, Kafka through slf4j; Tribuo through
 * java.util.logging, bridged) go to {@code $MLOPS_HOME/logs/<command>-<time>.log}, and the terminal
 * shows the project's own progress lines (stderr) and the JSON report (stdout). {@code -v} on the
 * command line, or {@code MLOPS_LOG_LEVEL}, shows them on stderr. Must run before any logger is
 * created: slf4j-simple reads its settings once.
 */
public final class Logging {
  /** The variable that sets the level of library logs on the terminal. */
  public static final String LEVEL_VARIABLE = "MLOPS_LOG_LEVEL";

  static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error");

  private final Path logFile;
  private final String[] args;

  private Logging(Path logFile, String[] args) {
    this.logFile = logFile;
    this.args = args;
  }

  /**
   * Sets logging up for {@code command} from the environment and {@code -v} in {@code args}; an
   * {@code MLOPS_LOG_LEVEL} that is not a level is an {@link IllegalArgumentException} that names
   * the allowed ones.
   */
  public static Logging setUp(String command, String[] args, Map<String, String> env) {
    List<String> rest = new ArrayList<>();
    boolean verbose = false;
    for (String arg : args) {
      if (arg.equals("-v") || arg.equals("--verbose")) {
        verbose = true;
      } else {
        rest.add(arg);
      }
    }
    String level = level(env.get(LEVEL_VARIABLE));
    Path file = null;
    if (verbose || level != null) {
      System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    } else {
      String home = env.getOrDefault("MLOPS_HOME", ".mlops");
      file =
          Path.of(home, "logs")
              .resolve(
                  safe(command)
                      + "-"
                      + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss"))
                      + ".log")
              .toAbsolutePath();
      try {
        Files.createDirectories(file.getParent());
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot create the log directory " + file.getParent(), e);
      }
      System.setProperty("org.slf4j.simpleLogger.logFile", file.toString());
    }
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level == null ? "info" : level);
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSS");
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    java.util.logging.Logger.getLogger("").setLevel(julLevel(level == null ? "info" : level));
    return new Logging(file, rest.toArray(String[]::new));
  }

  /** The level {@code value} names (any case), null for none; anything else is an error. */
  static String level(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String level = value.trim().toLowerCase(Locale.ROOT);
    if (!LEVELS.contains(level)) {
      throw new IllegalArgumentException(
          LEVEL_VARIABLE
              + "='"
              + value
              + "' is not a log level; use one of "
              + String.join(", ", LEVELS)
              + " (or leave it unset: library logs then go to a file)");
    }
    return level;
  }

  private static java.util.logging.Level julLevel(String level) {
    return switch (level) {
      case "trace" -> java.util.logging.Level.FINEST;
      case "debug" -> java.util.logging.Level.FINE;
      case "warn" -> java.util.logging.Level.WARNING;
      case "error" -> java.util.logging.Level.SEVERE;
      default -> java.util.logging.Level.INFO;
    };
  }

  private static String safe(String command) {
    return command == null || command.isBlank()
        ? "mlops"
        : command.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /** The command line without {@code -v}. */
  public String[] args() {
    return args;
  }

  /** Where library logs go, or null when they go to the terminal. */
  public Path logFile() {
    return logFile;
  }
}
