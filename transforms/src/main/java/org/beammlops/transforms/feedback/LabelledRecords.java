package org.beammlops.transforms.feedback;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
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
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.Prediction;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.deadletter.DeadLetters;
import org.beammlops.transforms.deadletter.RejectedRecordException;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * New truth as training data: each scored request whose feedback arrives within the TTL becomes a
 * record of the use case (its id, event time and raw features from the prediction, its raw labels
 * from the feedback, see {@link LabelledRecordBuilder}) with provenance {@code
 * feedback:<topic>-<partition>} and the feedback's offset, ready for the lake's events.
 *
 * <p>One record per request: the first prediction's features (every version scores the same
 * request) and the first feedback; a request is kept in keyed state until its TTL of event time, as
 * in {@link JoinFeedback}. Feedback from which no label field can be rebuilt (only a cut of it,
 * e.g. {@code delay15}) is counted and not written; a record the use case rejects, or whose labels
 * contradict each other, is a dead letter with the record's text and the reason.
 */
public final class LabelledRecords extends PTransform<PCollectionTuple, PCollectionTuple> {
  public static final String SOURCE_PREFIX = "feedback:";
  public static final String WRITTEN = "labelledRecords";
  public static final String WITHOUT_RAW_LABEL = "labelledRecordsWithoutRawLabel";
  public static final String REJECTED = "labelledRecordsRejected";

  /** Input: the task's decoded predictions (with their features). */
  public static final TupleTag<Prediction> PREDICTIONS = new TupleTag<>("predictions") {};

  /** Input: the feedback topic's messages. */
  public static final TupleTag<KafkaRecord<byte[], byte[]>> FEEDBACK =
      new TupleTag<>("feedback") {};

  /** Output: lake records (the use case's lake schema). */
  public static final TupleTag<GenericRecord> RECORDS = new TupleTag<>("records") {};

  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters") {};

  private final UseCase useCase;
  private final String pipeline;
  private final Duration ttl;

  private LabelledRecords(UseCase useCase, String pipeline, Duration ttl) {
    this.useCase = useCase;
    this.pipeline = pipeline;
    this.ttl = ttl;
  }

  /**
   * Records of {@code useCase}, joining within {@code ttl} of event time; rejects name pipeline.
   */
  public static LabelledRecords of(UseCase useCase, String pipeline, Duration ttl) {
    return new LabelledRecords(useCase, pipeline, ttl);
  }

  @Override
  public PCollectionTuple expand(PCollectionTuple input) {
    KvCoder<String, Side> sideCoder =
        KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(Side.class));
    PCollection<KV<String, Side>> requests =
        input
            .get(PREDICTIONS)
            .apply("KeyRequests", ParDo.of(new KeyRequestFn()))
            .setCoder(sideCoder);
    PCollection<KV<String, Side>> labels =
        input
            .get(FEEDBACK)
            .apply("KeyLabels", ParDo.of(new KeyLabelsFn(FeedbackMessages.ofAnyTask(useCase))))
            .setCoder(sideCoder);
    PCollectionTuple records =
        PCollectionList.of(requests)
            .and(labels)
            .apply("BothSides", Flatten.pCollections())
            .apply("JoinByRequestId", ParDo.of(new JoinFn(ttl)))
            .setCoder(SerializableCoder.of(LabelledRequest.class))
            .apply(
                "ToRecords",
                ParDo.of(new ToRecordFn(useCase, pipeline))
                    .withOutputTags(RECORDS, TupleTagList.of(DEAD_LETTERS)));
    records.get(RECORDS).setCoder(AvroCoder.of(GenericRecord.class, useCase.lakeSchema()));
    records.get(DEAD_LETTERS).setCoder(AvroCoder.of(DeadLetter.class));
    return records;
  }

  /** One side of a request: its features, or its feedback. */
  record Side(Map<String, Object> features, FeedbackLabels feedback, String source, long offset)
      implements Serializable {}

  static final class KeyRequestFn extends DoFn<Prediction, KV<String, Side>> {
    @ProcessElement
    public void process(@Element Prediction p, OutputReceiver<KV<String, Side>> out) {
      Map<String, Object> features = new HashMap<>();
      p.getFeatures()
          .forEach(
              (k, v) -> features.put(k.toString(), v instanceof CharSequence s ? s.toString() : v));
      out.output(KV.of(p.getRequestId(), new Side(features, null, null, 0)));
    }
  }

  /** Feedback a message gives; one that cannot be read is a dead letter of ParseFeedback. */
  static final class KeyLabelsFn extends DoFn<KafkaRecord<byte[], byte[]>, KV<String, Side>> {
    private final FeedbackMessages messages;

    KeyLabelsFn(FeedbackMessages messages) {
      this.messages = messages;
    }

    @ProcessElement
    public void process(
        @Element KafkaRecord<byte[], byte[]> message, OutputReceiver<KV<String, Side>> out) {
      try {
        FeedbackLabels labels = messages.labels(message.getKV().getValue());
        String source = SOURCE_PREFIX + message.getTopic() + "-" + message.getPartition();
        out.output(KV.of(labels.requestId(), new Side(null, labels, source, message.getOffset())));
      } catch (RejectedRecordException | RuntimeException e) {
        // counted and kept by ParseFeedback
      }
    }
  }

  /** What is known of one request while its TTL runs. */
  static final class Pending implements Serializable {
    private static final long serialVersionUID = 1L;
    Side request;
    Side feedback;
    boolean emitted;
  }

  static final class JoinFn extends DoFn<KV<String, Side>, LabelledRequest> {
    private final Duration ttl;

    @StateId("pending")
    private final StateSpec<ValueState<Pending>> pendingSpec =
        StateSpecs.value(SerializableCoder.of(Pending.class));

    @TimerId("ttl")
    private final TimerSpec ttlSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    JoinFn(Duration ttl) {
      this.ttl = ttl;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Side> element,
        @Timestamp Instant timestamp,
        @StateId("pending") ValueState<Pending> state,
        @TimerId("ttl") Timer timer,
        OutputReceiver<LabelledRequest> out) {
      Pending pending = state.read();
      if (pending == null) {
        pending = new Pending();
        timer.set(timestamp.plus(ttl));
      }
      Side side = element.getValue();
      if (side.features() != null && pending.request == null) {
        pending.request = side;
      } else if (side.feedback() != null && pending.feedback == null) {
        pending.feedback = side;
      }
      if (!pending.emitted && pending.request != null && pending.feedback != null) {
        pending.emitted = true;
        FeedbackLabels f = pending.feedback.feedback();
        out.output(
            new LabelledRequest(
                element.getKey(),
                f.eventTime(),
                pending.request.features(),
                f.labels(),
                pending.feedback.source(),
                pending.feedback.offset()));
      }
      state.write(pending);
    }

    @OnTimer("ttl")
    public void expire(@StateId("pending") ValueState<Pending> state) {
      state.clear();
    }
  }

  static final class ToRecordFn extends DoFn<LabelledRequest, GenericRecord> {
    private final LabelledRecordBuilder builder;
    private final DeadLetters.Origin origin;
    private transient Counter written;
    private transient Counter withoutRawLabel;
    private transient Counter rejected;

    ToRecordFn(UseCase useCase, String pipeline) {
      this.builder = new LabelledRecordBuilder(useCase);
      this.origin = DeadLetters.from(useCase.name(), pipeline, "LabelledRecords");
    }

    @Setup
    public void setup() {
      written = PipelineCounters.counter(WRITTEN);
      withoutRawLabel = PipelineCounters.counter(WITHOUT_RAW_LABEL);
      rejected = PipelineCounters.counter(REJECTED);
    }

    @ProcessElement
    public void process(@Element LabelledRequest request, MultiOutputReceiver out) {
      if (!builder.hasRawLabel(request.labels())) {
        withoutRawLabel.inc();
        return;
      }
      byte[] json = builder.json(request);
      try {
        out.get(RECORDS).output(builder.build(request, json));
        written.inc();
      } catch (RejectedRecordException e) {
        rejected.inc();
        out.get(DEAD_LETTERS)
            .output(origin.reject(request.source(), request.offset(), json, json.length, e));
      }
    }
  }
}
