package org.beammlops.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.beammlops.pipelines.common.Commands;
import org.beammlops.pipelines.common.StopOptions;
import org.junit.jupiter.api.Test;

/** The presets on parsed options: set what the user left out, never what they gave. */
class RunnerPresetsTest {

  private static PipelineOptions parse(String... args) {
    return Commands.parse(args, StopOptions.class, new RunnerPresets());
  }

  @Test
  void defaultsToDirectRunnerWithoutChecks() {
    DirectOptions direct = parse().as(DirectOptions.class);
    assertEquals(DirectRunner.class, direct.getRunner());
    assertFalse(direct.isEnforceImmutability());
    assertFalse(direct.isEnforceEncodability());
    assertTrue(direct.isBlockOnRun());
  }

  @Test
  void keepsWhatTheUserSaid() {
    DirectOptions direct =
        parse("--runner=DirectRunner", "--enforceImmutability=true").as(DirectOptions.class);
    assertTrue(direct.isEnforceImmutability());
    assertFalse(direct.isEnforceEncodability());
  }

  @Test
  void directRunDoesNotBlockWhenTheLauncherStopsTheJob() {
    assertFalse(parse("--stopWhenIdleSeconds=20").as(DirectOptions.class).isBlockOnRun());
    assertFalse(parse("--runSeconds=60").as(DirectOptions.class).isBlockOnRun());
    assertTrue(parse("--runSeconds=0").as(DirectOptions.class).isBlockOnRun());
    assertTrue(
        parse("--runSeconds=60", "--blockOnRun=true").as(DirectOptions.class).isBlockOnRun());
  }

  @Test
  void flinkIsEmbeddedUnlessAMasterIsNamed() {
    PipelineOptions flink = parse("--runner=FlinkRunner");
    assertEquals(FlinkRunner.class, flink.getRunner());
    assertEquals("[local]", flink.as(FlinkPipelineOptions.class).getFlinkMaster());
    assertEquals(
        "host:8081",
        parse("--runner=FlinkRunner", "--flinkMaster=host:8081")
            .as(FlinkPipelineOptions.class)
            .getFlinkMaster());
  }
}
