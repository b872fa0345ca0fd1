package org.beammlops.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RunnerPresetsTest {

  @Test
  void defaultsToDirectRunnerWithoutChecks() {
    List<String> args = List.of(RunnerPresets.apply(new String[] {"--input=x"}));
    assertTrue(args.contains("--runner=DirectRunner"));
    assertTrue(args.contains("--enforceImmutability=false"));
    assertTrue(args.contains("--enforceEncodability=false"));
  }

  @Test
  void keepsWhatTheUserSaid() {
    String[] args =
        RunnerPresets.apply(new String[] {"--runner=DirectRunner", "--enforceImmutability=true"});
    assertEquals("true", RunnerPresets.value(args, "--enforceImmutability"));
    assertEquals(1, List.of(args).stream().filter(a -> a.startsWith("--runner")).count());
  }

  @Test
  void directRunDoesNotBlockWhenTheLauncherStopsTheJob() {
    assertEquals(
        "false",
        RunnerPresets.value(
            RunnerPresets.apply(new String[] {"--stopWhenIdleSeconds=20"}), "--blockOnRun"));
    assertEquals(
        "false",
        RunnerPresets.value(RunnerPresets.apply(new String[] {"--runSeconds=60"}), "--blockOnRun"));
    assertNull(
        RunnerPresets.value(RunnerPresets.apply(new String[] {"--runSeconds=0"}), "--blockOnRun"));
    assertNull(RunnerPresets.value(RunnerPresets.apply(new String[] {"--x=1"}), "--blockOnRun"));
    assertEquals(
        "true",
        RunnerPresets.value(
            RunnerPresets.apply(new String[] {"--runSeconds=60", "--blockOnRun=true"}),
            "--blockOnRun"));
  }

  @Test
  void flinkIsEmbeddedUnlessAMasterIsNamed() {
    assertEquals(
        "[local]",
        RunnerPresets.value(
            RunnerPresets.apply(new String[] {"--runner=FlinkRunner"}), "--flinkMaster"));
    assertEquals(
        "host:8081",
        RunnerPresets.value(
            RunnerPresets.apply(new String[] {"--runner=FlinkRunner", "--flinkMaster=host:8081"}),
            "--flinkMaster"));
  }
}
