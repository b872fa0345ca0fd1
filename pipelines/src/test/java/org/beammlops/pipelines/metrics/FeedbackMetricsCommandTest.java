package org.beammlops.pipelines.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.beammlops.schemas.usecase.AlertRule;
import org.beammlops.schemas.usecase.InvalidUseCaseException;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code ./mlops metrics} refuses before anything runs, and the rules it reads. */
class FeedbackMetricsCommandTest {
  @TempDir Path temp;

  private static FeedbackMetricsOptions options(Path lake, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--task=delay15";
    all[1] = "--lake=" + lake;
    System.arraycopy(args, 0, all, 2, args.length);
    return PipelineOptionsFactory.fromArgs(all).as(FeedbackMetricsOptions.class);
  }

  /** The flights use case with its alert rules replaced by {@code alerts}. */
  private UseCase flightsWithAlerts(String alerts) throws Exception {
    Path dir = Files.createDirectories(temp.resolve("uc"));
    String config =
        new String(
            UseCases.class.getResourceAsStream("/usecases/flights/usecase.yaml").readAllBytes());
    config = config.substring(0, config.indexOf("\nalerts:") + 1) + alerts;
    Files.writeString(dir.resolve("usecase.yaml"), config);
    Files.write(
        dir.resolve("flights.avsc"),
        UseCases.class.getResourceAsStream("/usecases/flights/flights.avsc").readAllBytes());
    return UseCases.loadFrom(dir);
  }

  @Test
  void readsTheBundledRulesAndTheTtl() {
    UseCase flights = UseCases.load("flights");
    FeedbackMetricsPipeline.Settings settings =
        FeedbackMetricsCommand.settings(options(temp), flights, flights.task("delay15"));
    assertEquals(org.joda.time.Duration.standardHours(2), settings.ttl());
    assertEquals(2, settings.alertRules().size());
    AlertRule auc = settings.alertRules().get(0);
    assertEquals("roc_auc < 0.6 for 3 windows", auc.condition());
    assertTrue(auc.breachedBy(0.59) && !auc.breachedBy(0.6));
  }

  @Test
  void aRuleOnAnUnknownMetricIsRefusedWithTheKnownOnes() throws Exception {
    UseCase flights =
        flightsWithAlerts(
            "alerts:\n  - {name: typo, task: delay15, metric: auc, comparison: below,"
                + " threshold: 0.6}\n");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> FeedbackMetricsCommand.settings(options(temp), flights, flights.task("delay15")));
    assertTrue(e.getMessage().contains("'typo' names metric 'auc'"), e.getMessage());
    assertTrue(e.getMessage().contains("roc_auc, roc_auc_error_bound, log_loss"), e.getMessage());
  }

  @Test
  void badRulesAreAllReportedByTheConfig() {
    InvalidUseCaseException e =
        assertThrows(
            InvalidUseCaseException.class,
            () ->
                flightsWithAlerts(
                    "alerts:\n"
                        + "  - {name: a, task: nope, metric: mae, comparison: sideways,"
                        + " forWindows: 0, severity: LOUD, colour: red}\n"
                        + "  - {name: a, task: delay, metric: mae, comparison: above, threshold: 1}\n"));
    String all = String.join("\n", e.problems());
    for (String expected :
        new String[] {
          "'task' must be one of",
          "'comparison' must be below or above, not sideways",
          "'forWindows' must be at least 1",
          "'threshold' must be a number",
          "'severity' must be one of [INFO, WARNING, CRITICAL], not LOUD",
          "colour",
          "the name is used by another rule"
        }) {
      assertTrue(all.contains(expected), expected + " in\n" + all);
    }
  }

  @Test
  void badDurationsAreRefusedNamingTheOption() {
    UseCase flights = UseCases.load("flights");
    for (String[] bad :
        new String[][] {
          {"--window=1h", "--window=1h is not an ISO-8601 duration"},
          {"--period=PT2H", "is longer than --window"},
          {"--feedbackTtl=PT0S", "--feedbackTtl=PT0S must be positive"},
          {"--allowedLateness=-PT1H", "must be zero or more"}
        }) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  FeedbackMetricsCommand.settings(
                      options(temp, bad[0]), flights, flights.task("delay15")));
      assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
    }
  }
}
