package org.beammlops.runners;

import org.beammlops.pipelines.Mlops;
import org.beammlops.pipelines.common.Commands;

/**
 * The entry point {@code ./mlops} runs: logging set up first (quiet by default), then the demo or
 * one of the pipelines' commands, with this module's runner presets.
 */
public final class MlopsLauncher {
  private MlopsLauncher() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs one command line of {@code ./mlops} and returns its exit code. */
  static int run(String[] args) {
    Logging logging;
    try {
      logging = Logging.setUp(args.length == 0 ? "help" : args[0], args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return Commands.USAGE_ERROR;
    }
    String[] line = logging.args();
    String command = line.length == 0 ? "help" : line[0];
    int code;
    switch (command) {
      case "help", "-h", "--help" -> {
        printHelp();
        code = 0;
      }
      case "demo" -> code = Demo.run(line, System.getenv(), new RunnerPresets());
      default -> code = Mlops.run(line, new RunnerPresets());
    }
    if (code != 0 && logging.logFile() != null) {
      System.err.println("(the libraries' log of this run: " + logging.logFile() + ")");
    }
    return code;
  }

  /** {@code ./mlops help}. */
  static void printHelp() {
    System.out.println(
        """
        usage: ./mlops [-v] <command> [options]

          demo           the core loop on the embedded default: local stack up, ingest the sample, train
                         and register, score a replayed stream, summarize (records, dead letters, model
                         version, latency), stop
          local          up [kafka|tracking] | down [kafka|tracking] | status: the local stack (Kafka
                         broker + MLflow-compatible tracking server)""");
    Mlops.printHelp();
    System.out.println(
        """
          bench          ingest --input=<parquet>: rows/s on DirectRunner, FlinkRunner and plain Java;
                         train --input=<parquet>: seconds per stage vs fit time, holdout metrics;
                         score: events/s and latency of scoring, DirectRunner, FlinkRunner and plain Java;
                         prepare: training's prepare stage, ms per row, flights sample vs daily data
          help           this list

        Pipeline commands take Beam options (--runner=DirectRunner|FlinkRunner,
        --flinkMaster=[local]|host:port, --streaming, ...), values after '=', and print their
        counters as one JSON line, last on stdout. '<command> --help' lists a command's options.
        Library logs go to $MLOPS_HOME/logs/; -v or MLOPS_LOG_LEVEL=trace|debug|info|warn|error
        shows them on stderr.""");
  }
}
