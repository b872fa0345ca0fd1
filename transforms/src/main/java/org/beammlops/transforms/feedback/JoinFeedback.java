package org.beammlops.transforms.feedback;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Joins predictions to their late truth by request id, in event time, in either order of arrival. A
 * request keeps one prediction per model version (a repeat is counted and dropped) and the first
 * truth (a later one is counted, and counted again as conflicting when its label differs). Each
 * prediction is emitted with its truth as soon as both are there, so a request scored by v1 and v2
 * gives a pair for each. After the TTL of event time from a request's first message its state is
 * cleared by a timer: a prediction still without truth is emitted unlabelled (it counts toward
 * label coverage), a truth without prediction is an orphan.
 *
 * <p>The timer holds the output watermark at the request's event time until it fires, so a window
 * downstream closes (ON_TIME) only once every request in it has had its TTL: its pairs and its
 * unmatched predictions are all in, and inputs that arrive out of order by less than the TTL are
 * not late. State is one small value per request alive within the TTL.
 */
public final class JoinFeedback extends PTransform<PCollectionTuple, PCollectionTuple> {
  public static final String PREDICTIONS = "predictions";
  public static final String MATCHED = "matched";
  public static final String UNMATCHED = "unmatchedPredictions";
  public static final String ORPHANS = "orphanFeedback";
  public static final String DUPLICATE_FEEDBACK = "duplicateFeedback";
  public static final String CONFLICTING_FEEDBACK = "conflictingFeedback";
  public static final String DUPLICATE_PREDICTIONS = "duplicatePredictions";

  /** Every prediction, with its truth or (after the TTL) without. */
  public static final TupleTag<Outcome> OUTCOMES = new TupleTag<>("joined") {};

  /** Truths no prediction came for within the TTL. */
  public static final TupleTag<Truth> ORPHAN_TRUTHS = new TupleTag<>("orphans") {};

  private final Duration ttl;

  private JoinFeedback(Duration ttl) {
    this.ttl = ttl;
  }

  /** The join, waiting {@code ttl} of event time for the other side of a request. */
  public static JoinFeedback within(Duration ttl) {
    if (!ttl.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException("the feedback TTL must be positive, not " + ttl);
    }
    return new JoinFeedback(ttl);
  }

  /** Input: {@link ParseJoinInputs#OUTCOMES} and {@link ParseJoinInputs#TRUTHS}. */
  @Override
  public PCollectionTuple expand(PCollectionTuple input) {
    KvCoder<String, Side> sideCoder =
        KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(Side.class));
    PCollection<KV<String, Side>> predictions =
        input
            .get(ParseJoinInputs.OUTCOMES)
            .apply(
                "KeyPredictions",
                MapElements.into(new TypeDescriptor<KV<String, Side>>() {})
                    .via(o -> KV.of(o.requestId(), new Side(o, null))))
            .setCoder(sideCoder);
    PCollection<KV<String, Side>> truths =
        input
            .get(ParseJoinInputs.TRUTHS)
            .apply(
                "KeyTruths",
                MapElements.into(new TypeDescriptor<KV<String, Side>>() {})
                    .via(t -> KV.of(t.requestId(), new Side(null, t))))
            .setCoder(sideCoder);
    PCollectionTuple joined =
        PCollectionList.of(predictions)
            .and(truths)
            .apply("BothSides", Flatten.pCollections())
            .apply(
                "JoinByRequestId",
                ParDo.of(new JoinFn(ttl)).withOutputTags(OUTCOMES, TupleTagList.of(ORPHAN_TRUTHS)));
    joined.get(OUTCOMES).setCoder(OutcomeCoder.of());
    joined.get(ORPHAN_TRUTHS).setCoder(OutcomeCoder.TruthCoder.of());
    return joined;
  }

  /** One side of the join: a prediction or a truth. */
  record Side(Outcome prediction, Truth truth) implements Serializable {}

  /** What is known about one request while its TTL runs. */
  static final class Pending implements Serializable {
    private static final long serialVersionUID = 1L;
    final List<Outcome> predictions = new ArrayList<>();
    Double target;
    long eventTime;
  }

  static final class JoinFn extends DoFn<KV<String, Side>, Outcome> {
    private final Duration ttl;

    @StateId("pending")
    private final StateSpec<ValueState<Pending>> pendingSpec =
        StateSpecs.value(SerializableCoder.of(Pending.class));

    @TimerId("ttl")
    private final TimerSpec ttlSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    private transient Counter predictions;
    private transient Counter matched;
    private transient Counter unmatched;
    private transient Counter orphans;
    private transient Counter duplicateFeedback;
    private transient Counter conflictingFeedback;
    private transient Counter duplicatePredictions;

    JoinFn(Duration ttl) {
      this.ttl = ttl;
    }

    @Setup
    public void setup() {
      predictions = PipelineCounters.counter(PREDICTIONS);
      matched = PipelineCounters.counter(MATCHED);
      unmatched = PipelineCounters.counter(UNMATCHED);
      orphans = PipelineCounters.counter(ORPHANS);
      duplicateFeedback = PipelineCounters.counter(DUPLICATE_FEEDBACK);
      conflictingFeedback = PipelineCounters.counter(CONFLICTING_FEEDBACK);
      duplicatePredictions = PipelineCounters.counter(DUPLICATE_PREDICTIONS);
    }

    @ProcessElement
    public void process(
        @Element KV<String, Side> element,
        @Timestamp Instant timestamp,
        @StateId("pending") ValueState<Pending> state,
        @TimerId("ttl") Timer timer,
        OutputReceiver<Outcome> out) {
      Pending pending = state.read();
      if (pending == null) {
        pending = new Pending();
        pending.eventTime = timestamp.getMillis();
        timer.withOutputTimestamp(timestamp).set(timestamp.plus(ttl));
      }
      Side side = element.getValue();
      if (side.prediction() != null) {
        Outcome prediction = side.prediction();
        boolean repeat =
            pending.predictions.stream()
                .anyMatch(p -> p.modelVersion().equals(prediction.modelVersion()));
        if (repeat) {
          duplicatePredictions.inc();
        } else {
          predictions.inc();
          pending.predictions.add(prediction);
          if (pending.target != null) {
            matched.inc();
            out.output(prediction.withTarget(pending.target));
          }
        }
      } else if (pending.target != null) {
        duplicateFeedback.inc();
        if (pending.target != side.truth().target()) {
          conflictingFeedback.inc();
        }
      } else {
        pending.target = side.truth().target();
        for (Outcome prediction : pending.predictions) {
          matched.inc();
          out.output(prediction.withTarget(pending.target));
        }
      }
      state.write(pending);
    }

    @OnTimer("ttl")
    public void expire(
        @StateId("pending") ValueState<Pending> state,
        @Key String requestId,
        MultiOutputReceiver out) {
      Pending pending = state.read();
      if (pending != null) {
        if (pending.target == null) {
          for (Outcome prediction : pending.predictions) {
            unmatched.inc();
            out.get(OUTCOMES).output(prediction);
          }
        }
        if (pending.predictions.isEmpty() && pending.target != null) {
          orphans.inc();
          out.get(ORPHAN_TRUTHS).output(new Truth(requestId, pending.eventTime, pending.target));
        }
      }
      state.clear();
    }
  }
}
