package org.beammlops.runners;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Defaults that differ per runner, added to a command's arguments unless the user gave them:
 * DirectRunner by default, without its immutability and encodability checks (they double the time
 * and triple the memory; tests keep them on), not blocking in {@code run()} when the job is to be
 * stopped from the launcher ({@code --runSeconds}, {@code --stopWhenIdleSeconds}), and FlinkRunner
 * embedded ({@code [local]}) unless a {@code --flinkMaster} is named.
 */
public final class RunnerPresets {
  private RunnerPresets() {}

  public static String[] apply(String[] args) {
    List<String> out = new ArrayList<>(Arrays.asList(args));
    String runner = value(args, "--runner");
    if (runner == null) {
      runner = "DirectRunner";
      out.add("--runner=DirectRunner");
    }
    if (runner.equals("DirectRunner")) {
      addIfAbsent(out, args, "--enforceImmutability", "false");
      addIfAbsent(out, args, "--enforceEncodability", "false");
      addIfAbsent(
          out,
          args,
          "--targetParallelism",
          Integer.toString(Runtime.getRuntime().availableProcessors()));
      if (positive(value(args, "--runSeconds")) || positive(value(args, "--stopWhenIdleSeconds"))) {
        // A job stopped from the launcher needs run() to return while it runs; the DirectRunner's
        // run() otherwise blocks until an unbounded job ends, i.e. forever.
        addIfAbsent(out, args, "--blockOnRun", "false");
      }
    } else if (runner.equals("FlinkRunner")) {
      addIfAbsent(out, args, "--flinkMaster", "[local]");
    }
    return out.toArray(String[]::new);
  }

  private static boolean positive(String number) {
    try {
      return number != null && Double.parseDouble(number) > 0;
    } catch (NumberFormatException e) {
      return false; // the command's own option parsing reports it
    }
  }

  private static void addIfAbsent(List<String> out, String[] args, String option, String value) {
    if (value(args, option) == null) {
      out.add(option + "=" + value);
    }
  }

  /** The value of {@code --name=value} (or a bare {@code --name}, as "true"), or null. */
  static String value(String[] args, String option) {
    for (String arg : args) {
      if (arg.startsWith(option + "=")) {
        return arg.substring(option.length() + 1);
      }
      if (arg.equals(option)) {
        return "true";
      }
    }
    return null;
  }
}
