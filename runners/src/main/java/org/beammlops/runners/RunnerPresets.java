package org.beammlops.runners;

import java.util.Set;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.beammlops.pipelines.common.OptionPresets;
import org.beammlops.pipelines.common.StopOptions;

/**
 * Defaults that differ per runner, set on a command's parsed options unless the user gave them:
 * DirectRunner by default, without its immutability and encodability checks (they double the time
 * and triple the memory; tests keep them on), not blocking in {@code run()} when the job is to be
 * stopped from the launcher ({@code --runSeconds}, {@code --stopWhenIdleSeconds}), and FlinkRunner
 * embedded ({@code [local]}) unless a {@code --flinkMaster} is named.
 */
public final class RunnerPresets implements OptionPresets {

  @Override
  public void apply(PipelineOptions options, Set<String> given) {
    if (!given.contains("runner")) {
      options.setRunner(DirectRunner.class);
    }
    if (options.getRunner() == DirectRunner.class) {
      DirectOptions direct = options.as(DirectOptions.class);
      if (!given.contains("enforceImmutability")) {
        direct.setEnforceImmutability(false);
      }
      if (!given.contains("enforceEncodability")) {
        direct.setEnforceEncodability(false);
      }
      if (!given.contains("targetParallelism")) {
        direct.setTargetParallelism(Runtime.getRuntime().availableProcessors());
      }
      if (!given.contains("blockOnRun") && StopOptions.stoppedByLauncher(options)) {
        // A job stopped from the launcher needs run() to return while it runs; the DirectRunner's
        // run() otherwise blocks until an unbounded job ends, i.e. forever.
        direct.setBlockOnRun(false);
      }
    } else if (options.getRunner() == FlinkRunner.class && !given.contains("flinkMaster")) {
      options.as(FlinkPipelineOptions.class).setFlinkMaster("[local]");
    }
  }
}
