package org.beammlops.transforms.alerts;

import static org.junit.Assert.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.beammlops.schemas.Alert;
import org.beammlops.schemas.MetricWindow;
import org.beammlops.schemas.usecase.AlertRule;
import org.beammlops.transforms.feedback.WindowedMetrics;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * Alert rules over a sequence of ON_TIME windows: one FIRING after the breaches in a row, one
 * RESOLVED at the first good window, nothing in between, whatever order the windows arrive in.
 */
@RunWith(JUnit4.class)
public class EvaluateAlertsTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final Instant T0 = Instant.parse("2001-06-01T00:00:00Z");
  private static final AlertRule AUC_LOW =
      new AlertRule(
          "auc-low",
          "delay15",
          "roc_auc",
          AlertRule.Comparison.BELOW,
          0.6,
          3,
          50,
          "WARNING",
          false);

  static MetricWindow window(int i, String version, Double auc, long labelled, String timing) {
    Map<String, Double> metrics = new java.util.LinkedHashMap<>();
    metrics.put("labelled", (double) labelled);
    if (auc != null) {
      metrics.put("roc_auc", auc);
    }
    return MetricWindow.newBuilder()
        .setUseCase("flights")
        .setTask("delay15")
        .setModelName("flights-delay15")
        .setModelVersion(version)
        .setWindowStart(T0.plusSeconds(600L * i))
        .setWindowEnd(T0.plusSeconds(600L * i + 3600))
        .setTiming(timing)
        .setPaneIndex(0)
        .setCount(labelled)
        .setMetrics(metrics)
        .setUndefined(auc == null ? Map.of("roc_auc", "only one class") : Map.of())
        .build();
  }

  private PCollection<Alert> evaluate(List<MetricWindow> windows, AlertRule... rules) {
    List<TimestampedValue<MetricWindow>> timestamped = new ArrayList<>();
    for (MetricWindow w : windows) {
      timestamped.add(
          TimestampedValue.of(w, new org.joda.time.Instant(w.getWindowEnd().toEpochMilli() - 1)));
    }
    // arrival order is not window order: a bounded run's windows all fire at once
    Collections.shuffle(timestamped, new Random(7));
    return p.apply(Create.timestamped(timestamped).withCoder(AvroCoder.of(MetricWindow.class)))
        .apply(EvaluateAlerts.of(List.of(rules)));
  }

  private static List<String> describe(Iterable<Alert> alerts) {
    List<String> out = new ArrayList<>();
    for (Alert a : alerts) {
      out.add(
          a.getAttributes().get("state")
              + "@"
              + a.getAttributes().get("windowStart")
              + "/v"
              + a.getAttributes().get("modelVersion"));
    }
    Collections.sort(out);
    return out;
  }

  @Test
  public void firesOnceAfterThreeBreachesInARowAndResolvesOnce() {
    List<MetricWindow> windows = new ArrayList<>();
    Double[] auc = {0.7, 0.55, 0.7, 0.5, 0.52, 0.58, 0.4, 0.45, 0.8, 0.75, 0.5};
    for (int i = 0; i < auc.length; i++) {
      windows.add(window(i, "all", auc[i], 100, "ON_TIME"));
      windows.add(window(i, "all", 0.1, 100, "EARLY")); // only ON_TIME panes count
      windows.add(window(i, "3", 0.1, 100, "ON_TIME")); // another version: a per-version rule's
    }
    PAssert.that(evaluate(windows, AUC_LOW))
        .satisfies(
            alerts -> {
              // breaches at 3, 4, 5 fire at 5; 6 and 7 breach on; 8 recovers; 10 is one breach
              assertEquals(
                  List.of(
                      "FIRING@" + T0.plusSeconds(3000) + "/vall",
                      "RESOLVED@" + T0.plusSeconds(4800) + "/vall"),
                  describe(alerts));
              for (Alert a : alerts) {
                assertEquals("WARNING", a.getSeverity().name());
                assertEquals(EvaluateAlerts.KIND, a.getKind());
              }
              return null;
            });
    p.run();
  }

  @Test
  public void eachRuleReadsTheKindOfWindowItsMetricIsIn() {
    assertEquals(WindowedMetrics.REALIZED, WindowedMetrics.kindOf("roc_auc"));
    assertEquals(WindowedMetrics.ESTIMATED, WindowedMetrics.kindOf("estimated_roc_auc"));
    assertEquals(WindowedMetrics.DRIFT, WindowedMetrics.kindOf("drift_share"));
    assertEquals(WindowedMetrics.DRIFT, WindowedMetrics.kindOf("drift_distance"));
    assertEquals(WindowedMetrics.DRIFT, WindowedMetrics.kindOf("dataset_drift"));
    assertEquals("labelled", WindowedMetrics.supportOf(WindowedMetrics.REALIZED));
    assertEquals("drift_rows", WindowedMetrics.supportOf(WindowedMetrics.DRIFT));
  }

  /** A window of expected performance, as the metrics job's EstimatedMetrics step emits. */
  static MetricWindow estimated(int i, double auc, long predictions) {
    return MetricWindow.newBuilder(window(i, "all", null, 0, "ON_TIME"))
        .setKind(WindowedMetrics.ESTIMATED)
        .setCount(predictions)
        .setMetrics(Map.of("estimated_roc_auc", auc, "estimated_predictions", (double) predictions))
        .setUndefined(Map.of())
        .build();
  }

  @Test
  public void aRuleOnAnEstimateReadsTheEstimatedWindowsAndTheOthersDoNot() {
    AlertRule estimatedLow =
        new AlertRule(
            "estimated-auc-low",
            "delay15",
            "estimated_roc_auc",
            AlertRule.Comparison.BELOW,
            0.6,
            2,
            50,
            "WARNING",
            false);
    List<MetricWindow> windows = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      // the realized AUC breaches throughout; the estimate (same windows) drops from window 2
      windows.add(window(i, "all", 0.5, 100, "ON_TIME"));
      windows.add(estimated(i, i < 2 ? 0.7 : 0.5, 200));
    }
    PAssert.that(evaluate(windows, AUC_LOW, estimatedLow))
        .satisfies(
            alerts -> {
              // the realized rule fires at its third breach, though each of its windows shares
              // its end with an estimate; the estimate's rule at its second
              List<String> fired = new ArrayList<>();
              for (Alert a : alerts) {
                fired.add(
                    a.getAttributes().get("rule") + "@" + a.getAttributes().get("windowStart"));
              }
              Collections.sort(fired);
              assertEquals(
                  List.of(
                      "auc-low@" + T0.plusSeconds(1200),
                      "estimated-auc-low@" + T0.plusSeconds(1800)),
                  fired);
              return null;
            });
    p.run();
  }

  @Test
  public void smallOrUndefinedWindowsLeaveTheRuleAsItIsAndVersionsAreApart() {
    AlertRule perVersion =
        new AlertRule(
            "auc-low-each",
            "delay15",
            "roc_auc",
            AlertRule.Comparison.BELOW,
            0.6,
            2,
            50,
            "CRITICAL",
            true);
    List<MetricWindow> windows =
        List.of(
            window(0, "1", 0.5, 100, "ON_TIME"),
            window(1, "1", 0.9, 10, "ON_TIME"), // too few labelled: not evaluated
            window(2, "1", null, 100, "ON_TIME"), // AUC undefined: not evaluated
            window(3, "1", 0.5, 100, "ON_TIME"), // the second breach in a row: fires
            window(0, "2", 0.5, 100, "ON_TIME"),
            window(1, "2", 0.9, 100, "ON_TIME"), // v2 recovers before it fires
            window(2, "2", 0.5, 100, "ON_TIME"),
            window(3, "all", 0.1, 100, "ON_TIME")); // a per-version rule skips "all"
    PAssert.that(evaluate(windows, perVersion))
        .satisfies(
            alerts -> {
              assertEquals(List.of("FIRING@" + T0.plusSeconds(1800) + "/v1"), describe(alerts));
              return null;
            });
    p.run();
  }
}
