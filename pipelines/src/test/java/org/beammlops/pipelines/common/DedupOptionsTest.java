package org.beammlops.pipelines.common;

import static org.junit.Assert.assertEquals;

import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Test;

public class DedupOptionsTest {
  private static int keys(String... args) {
    return PipelineOptionsFactory.fromArgs(args).as(DedupOptions.class).getDedupKeys();
  }

  @Test
  public void theDirectRunnerKeepsItsBundlesWhole() {
    assertEquals(1, keys("--runner=DirectRunner"));
  }

  @Test
  public void distributedRunnersSpreadTheStateOverManyKeys() {
    assertEquals(256, keys("--runner=FlinkRunner"));
  }

  @Test
  public void anExplicitCountWins() {
    assertEquals(8, keys("--runner=DirectRunner", "--dedupKeys=8"));
  }
}
