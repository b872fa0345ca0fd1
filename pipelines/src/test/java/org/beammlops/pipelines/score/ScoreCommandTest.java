package org.beammlops.pipelines.score;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/** The score command's checks and its idle test, without a broker or a job. */
class ScoreCommandTest {

  private static ScoreOptions options(String... args) {
    PipelineOptionsFactory.register(ScoreOptions.class);
    return PipelineOptionsFactory.fromArgs(args).as(ScoreOptions.class);
  }

  @Test
  void aRequestIsHandledWhenScoredFailedOrADuplicate() {
    assertTrue(ScoreCommand.everyReadRequestHandled(Map.of()));
    assertTrue(
        ScoreCommand.everyReadRequestHandled(
            Map.of("valid", 10L, "predictions", 7L, "inferenceFailures", 1L, "duplicates", 2L)));
    assertFalse(ScoreCommand.everyReadRequestHandled(Map.of("valid", 30L, "predictions", 0L)));
  }

  @Test
  void anIdleStopShorterThanTheCommitIntervalIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ScoreCommand.checkStop(
                    options("--stopWhenIdleSeconds=5", "--commitIntervalSeconds=30")));
    assertTrue(e.getMessage().contains("--commitIntervalSeconds=30"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> ScoreCommand.checkStop(options("--stopWhenIdleSeconds=-1")));
    ScoreCommand.checkStop(options("--stopWhenIdleSeconds=31", "--commitIntervalSeconds=30"));
  }

  @Test
  void aBrokerThatIsDownIsAClearError() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> new GroupOffsets("127.0.0.1:1", "t", "g", 2).moveToEnd());
    assertTrue(e.getMessage().contains("is the broker up?"), e.getMessage());
  }
}
