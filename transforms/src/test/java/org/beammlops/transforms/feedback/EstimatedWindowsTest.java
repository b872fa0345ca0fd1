package org.beammlops.transforms.feedback;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.beammlops.schemas.MetricWindow;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * Windows of expected performance: fed the predictions alone (no truth anywhere in the stream),
 * each closes ON_TIME when the watermark passes its end, of kind {@code estimated}, with the
 * expected metrics of its predictions per version and for all.
 */
@RunWith(JUnit4.class)
public class EstimatedWindowsTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final UseCase FLIGHTS = UseCases.load("flights");
  private static final Task DELAY15 = FLIGHTS.task("delay15");
  private static final Instant T0 = Instant.parse("2001-06-01T00:00:00Z");

  private static TimestampedValue<Outcome> prediction(String id, int minute, double p) {
    long t = T0.plus(Duration.standardMinutes(minute)).getMillis();
    return TimestampedValue.of(
        new Outcome(id, "1", t, p, p > 0.5 ? 1 : 0, new double[0], null), new Instant(t));
  }

  @Test
  public void predictionsAloneGiveAnEstimatedWindowWhenTheirWatermarkPasses() {
    List<TimestampedValue<Outcome>> hour = new ArrayList<>();
    hour.add(prediction("a", 5, 0.9));
    hour.add(prediction("b", 20, 0.2));
    TestStream<Outcome> stream =
        TestStream.create(OutcomeCoder.of())
            .addElements(hour.get(0), hour.get(1))
            .advanceWatermarkTo(T0.plus(Duration.standardMinutes(61)))
            .addElements(prediction("c", 70, 0.6))
            .advanceWatermarkToInfinity();
    PCollection<MetricWindow> windows =
        p.apply(stream)
            .apply(
                WindowedMetrics.of(FLIGHTS, DELAY15)
                    .every(Duration.standardHours(1), Duration.standardHours(1))
                    .estimated()
                    .build());
    PAssert.that(windows)
        .satisfies(
            all -> {
              List<MetricWindow> first = new ArrayList<>();
              for (MetricWindow w : all) {
                assertEquals(WindowedMetrics.ESTIMATED, w.getKind());
                assertEquals("ON_TIME", w.getTiming());
                assertFalse(w.getMetrics().containsKey("labelled"));
                if (w.getWindowStart().toEpochMilli() == T0.getMillis()) {
                  first.add(w);
                }
              }
              assertEquals(4, count(all)); // two windows, each for v1 and all
              assertEquals(2, first.size()); // version 1 and all
              for (MetricWindow w : first) {
                assertEquals(2, w.getCount());
                // rows 0.9 (predicted positive) and 0.2: (0.9 + 0.8) / 2
                assertEquals(0.85, w.getMetrics().get("estimated_accuracy"), 1e-12);
                assertEquals(0.9, w.getMetrics().get("estimated_precision"), 1e-12);
                assertEquals(2.0, w.getMetrics().get("estimated_predictions"), 0);
                assertTrue(w.getMetrics().containsKey("estimated_roc_auc"));
              }
              return null;
            });
    p.run().waitUntilFinish();
  }

  private static int count(Iterable<MetricWindow> all) {
    int n = 0;
    for (MetricWindow ignored : all) {
      n++;
    }
    return n;
  }

  @Test(expected = IllegalArgumentException.class)
  public void aRegressionHasNoEstimate() {
    new EstimatedMetricsAccumulator(FLIGHTS.task("delay"));
  }
}
