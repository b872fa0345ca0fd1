package org.beammlops.pipelines.common;

import java.io.IOException;
import java.util.Map;
import java.util.function.Function;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The shared command-line behaviour of pipeline commands: Beam options in, the counters as the last
 * stdout line out, and one clear error line (exit 2) instead of a stack trace for bad input.
 */
public final class Commands {
  /** Exit code for a usage or input error the user can fix. */
  public static final int USAGE_ERROR = 2;

  private Commands() {}

  /** Parses Beam options, runs, prints the report; exits non-zero with a clear line on error. */
  public static <O extends PipelineOptions> void runPipeline(
      String[] args, Class<O> optionsClass, Function<O, Map<String, Object>> run) {
    int code = runPipelineForExitCode(args, optionsClass, run);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** As {@link #runPipeline} but returns the exit code, for callers that keep the JVM. */
  public static <O extends PipelineOptions> int runPipelineForExitCode(
      String[] args, Class<O> optionsClass, Function<O, Map<String, Object>> run) {
    try {
      PipelineOptionsFactory.register(optionsClass);
      O options = PipelineOptionsFactory.fromArgs(args).withValidation().as(optionsClass);
      FileSystems.setDefaultPipelineOptions(options);
      PipelineReports.print(run.apply(options));
      return 0;
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return USAGE_ERROR;
    } catch (RuntimeException e) {
      System.err.println("error: " + rootMessage(e));
      if (System.getenv("MLOPS_DEBUG") != null) {
        e.printStackTrace();
      }
      return 1;
    }
  }

  /** A clear error, before any work, when a file pattern matches no file. */
  public static void checkInputMatches(String pattern) {
    try {
      MatchResult match = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
      if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
        throw new IllegalArgumentException("No file matches --input=" + pattern);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Cannot list --input=" + pattern + ": " + e.getMessage(), e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (cause: " + cause + ")";
  }
}
