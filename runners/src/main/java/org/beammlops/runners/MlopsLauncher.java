package org.beammlops.runners;

import org.beammlops.pipelines.Mlops;

/**
 * The entry point {@code ./mlops} runs: the pipelines' commands with this module's runner presets.
 */
public final class MlopsLauncher {
  private MlopsLauncher() {}

  public static void main(String[] args) {
    System.exit(Mlops.run(args, new RunnerPresets()));
  }
}
