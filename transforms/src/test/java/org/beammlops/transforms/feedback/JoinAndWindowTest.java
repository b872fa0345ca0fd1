package org.beammlops.transforms.feedback;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTagList;
import org.beammlops.schemas.MetricWindow;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.metrics.CounterSummary;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * The join and the windows in event time, driven by a {@link TestStream}: feedback before its
 * prediction, a duplicate feedback with another label, two model versions in one window, a
 * prediction whose truth never comes and a truth without prediction (both past the TTL), a late
 * pair within the allowed lateness (a LATE pane) and a prediction past it (dropped and counted).
 */
@RunWith(JUnit4.class)
public class JoinAndWindowTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final UseCase FLIGHTS = UseCases.load("flights");
  private static final Task DELAY15 = FLIGHTS.task("delay15");
  private static final Instant T0 = Instant.parse("2001-06-01T00:00:00Z");

  private static TimestampedValue<JoinFeedback.Side> prediction(
      String id, String version, int minute, double p, int predictedClass) {
    long t = T0.plus(Duration.standardMinutes(minute)).getMillis();
    return TimestampedValue.of(
        new JoinFeedback.Side(
            new Outcome(id, version, t, p, predictedClass, new double[0], null), null),
        new Instant(t));
  }

  private static TimestampedValue<JoinFeedback.Side> truth(String id, int minute, double label) {
    long t = T0.plus(Duration.standardMinutes(minute)).getMillis();
    return TimestampedValue.of(
        new JoinFeedback.Side(null, new Truth(id, t, label)), new Instant(t));
  }

  private static Instant at(int minutes) {
    return T0.plus(Duration.standardMinutes(minutes));
  }

  /** Splits the test's one stream into the join's two inputs. */
  static final class SplitSides extends DoFn<JoinFeedback.Side, Outcome> {
    @ProcessElement
    public void process(@Element JoinFeedback.Side side, MultiOutputReceiver out) {
      if (side.prediction() != null) {
        out.get(ParseJoinInputs.OUTCOMES).output(side.prediction());
      } else {
        out.get(ParseJoinInputs.TRUTHS).output(side.truth());
      }
    }
  }

  @Test
  public void joinsInEitherOrderCountsEverySideAndTagsEachPane() {
    TestStream<JoinFeedback.Side> stream =
        TestStream.create(SerializableCoder.of(JoinFeedback.Side.class))
            .addElements(
                truth("A", 10, 1), // feedback before its prediction
                prediction("A", "1", 10, 0.8, 1),
                prediction("B", "1", 20, 0.3, 0),
                prediction("B", "2", 20, 0.6, 1), // a second version scored the same request
                truth("B", 20, 0),
                truth("B", 20, 1), // duplicate with another label: the first one wins
                prediction("C", "1", 30, 0.7, 1), // its truth never comes
                truth("D", 40, 1), // never predicted
                prediction("E", "1", 15, 0.45, 0),
                prediction("E", "1", 15, 0.45, 0), // the same prediction twice
                truth("E", 15, 0))
            .advanceWatermarkTo(
                at(75)) // TTL (30 min) of every request passed: window [0, 60) closes
            .addElements(
                truth("G", 50, 1), prediction("G", "1", 50, 0.9, 1)) // late, within lateness
            .advanceWatermarkTo(at(150)) // past the window's end + allowed lateness (60 min)
            // too late: its TTL is long over, so it is unmatched at once, then dropped by the
            // window
            .addElements(prediction("F", "1", 5, 0.9, 1))
            .advanceWatermarkToInfinity();

    PCollectionTuple sides =
        p.apply(stream)
            .apply(
                ParDo.of(new SplitSides())
                    .withOutputTags(
                        ParseJoinInputs.OUTCOMES, TupleTagList.of(ParseJoinInputs.TRUTHS)));
    sides.get(ParseJoinInputs.OUTCOMES).setCoder(SerializableCoder.of(Outcome.class));
    sides.get(ParseJoinInputs.TRUTHS).setCoder(SerializableCoder.of(Truth.class));
    PCollectionTuple joined = sides.apply(JoinFeedback.within(Duration.standardMinutes(30)));
    PCollection<MetricWindow> windows =
        joined
            .get(JoinFeedback.OUTCOMES)
            .apply(
                WindowedMetrics.of(FLIGHTS, DELAY15)
                    .every(Duration.standardHours(1), Duration.standardHours(1))
                    .setAllowedLateness(Duration.standardHours(1))
                    .build());

    PAssert.that(joined.get(JoinFeedback.ORPHAN_TRUTHS))
        .containsInAnyOrder(new Truth("D", at(40).getMillis(), 1));
    PAssert.that(windows)
        .satisfies(
            all -> {
              List<MetricWindow> panes = new ArrayList<>();
              all.forEach(panes::add);
              panes.sort(
                  Comparator.comparing(MetricWindow::getModelVersion)
                      .thenComparing(MetricWindow::getPaneIndex));
              assertEquals(panes.toString(), 5, panes.size());
              for (MetricWindow w : panes) {
                assertEquals(T0.getMillis(), w.getWindowStart().toEpochMilli());
                assertEquals(at(60).getMillis(), w.getWindowEnd().toEpochMilli());
              }
              // version 1: A, B, C (unmatched), E on time; G arrives late
              check(panes.get(0), "1", "ON_TIME", 0, 4, 3);
              assertEquals(1.0, panes.get(0).getMetrics().get("accuracy"), 1e-12);
              assertEquals(1.0, panes.get(0).getMetrics().get("roc_auc"), 1e-12);
              assertEquals(
                  -(Math.log(0.8) + Math.log(0.7) + Math.log(0.55)) / 3,
                  panes.get(0).getMetrics().get("log_loss"),
                  1e-12);
              assertEquals(0.75, panes.get(0).getMetrics().get("label_coverage"), 1e-12);
              check(panes.get(1), "1", "LATE", 1, 5, 4);
              // version 2: B only, a negative predicted positive; one class, so no AUC
              check(panes.get(2), "2", "ON_TIME", 0, 1, 1);
              assertEquals(0.0, panes.get(2).getMetrics().get("accuracy"), 1e-12);
              assertFalse(panes.get(2).getMetrics().containsKey("roc_auc"));
              assertTrue(panes.get(2).getUndefined().get("roc_auc").contains("only one class"));
              check(panes.get(3), "all", "ON_TIME", 0, 5, 4);
              check(panes.get(4), "all", "LATE", 1, 6, 5);
              return null;
            });

    PipelineResult result = p.run();
    result.waitUntilFinish();
    Map<String, Long> counters = CounterSummary.of(result);
    assertEquals(7L, (long) counters.get(JoinFeedback.PREDICTIONS));
    assertEquals(5L, (long) counters.get(JoinFeedback.MATCHED));
    assertEquals(2L, (long) counters.get(JoinFeedback.UNMATCHED));
    assertEquals(1L, (long) counters.get(JoinFeedback.ORPHANS));
    assertEquals(1L, (long) counters.get(JoinFeedback.DUPLICATE_FEEDBACK));
    assertEquals(1L, (long) counters.get(JoinFeedback.CONFLICTING_FEEDBACK));
    assertEquals(1L, (long) counters.get(JoinFeedback.DUPLICATE_PREDICTIONS));
    // F, under its version and under "all"
    assertEquals(2L, (long) counters.get(PipelineCounters.DROPPED_LATE));
  }

  private static void check(
      MetricWindow w, String version, String timing, long pane, long count, long labelled) {
    assertEquals(w.toString(), version, w.getModelVersion());
    assertEquals(w.toString(), timing, w.getTiming());
    assertEquals(w.toString(), pane, w.getPaneIndex());
    assertEquals(w.toString(), count, w.getCount());
    assertEquals(w.toString(), (double) labelled, w.getMetrics().get("labelled"), 0);
  }
}
