package org.beammlops.transforms.feedback;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.Prediction;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.deadletter.DeadLetters;
import org.beammlops.transforms.deadletter.ErrorType;
import org.beammlops.transforms.deadletter.RejectedRecordException;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.joda.time.Instant;

/**
 * The two inputs of the feedback join read from their topics: prediction messages into {@link
 * Outcome}s of the task (another task's predictions on the same topic are skipped and counted) and
 * feedback messages into the task's {@link Truth}s. A message that cannot be read, or whose event
 * time the {@code EventTimePolicy} did not accept (far ahead of the stream), is a dead letter with
 * its bytes and the reason.
 */
public final class ParseJoinInputs {
  public static final String PREDICTIONS_READ = "predictionsRead";
  public static final String FEEDBACK_READ = "feedbackRead";
  public static final String OTHER_TASK = "otherTaskPredictions";
  public static final String UNVERIFIED_VERSION = "unverifiedModelVersions";

  /** The parsed values of a parse step. */
  public static final TupleTag<Outcome> OUTCOMES = new TupleTag<>("outcomes") {};

  public static final TupleTag<Truth> TRUTHS = new TupleTag<>("truths") {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters") {};

  private ParseJoinInputs() {}

  /**
   * Prediction messages to outcomes of {@code task}, and dead letters; a prediction whose model
   * version {@code versions} does not know is one.
   */
  public static PTransform<PCollection<KafkaRecord<byte[], byte[]>>, PCollectionTuple> predictions(
      UseCase useCase, Task task, String pipeline, ModelVersionCheck versions) {
    return new Parse<>(
        OUTCOMES, OutcomeCoder.of(), new ParsePredictionFn(useCase, task, pipeline, versions));
  }

  /** Feedback messages to truths of {@code task}, and dead letters. */
  public static PTransform<PCollection<KafkaRecord<byte[], byte[]>>, PCollectionTuple> feedback(
      UseCase useCase, Task task, String pipeline) {
    return new Parse<>(
        TRUTHS, OutcomeCoder.TruthCoder.of(), new ParseFeedbackFn(useCase, task, pipeline));
  }

  private static final class Parse<T>
      extends PTransform<PCollection<KafkaRecord<byte[], byte[]>>, PCollectionTuple> {
    private final TupleTag<T> tag;
    private final Coder<T> coder;
    private final DoFn<KafkaRecord<byte[], byte[]>, T> fn;

    Parse(TupleTag<T> tag, Coder<T> coder, DoFn<KafkaRecord<byte[], byte[]>, T> fn) {
      this.tag = tag;
      this.coder = coder;
      this.fn = fn;
    }

    @Override
    public PCollectionTuple expand(PCollection<KafkaRecord<byte[], byte[]>> messages) {
      PCollectionTuple parsed =
          messages.apply(ParDo.of(fn).withOutputTags(tag, TupleTagList.of(DEAD_LETTERS)));
      parsed.get(tag).setCoder(coder);
      parsed.get(DEAD_LETTERS).setCoder(AvroCoder.of(DeadLetter.class));
      return parsed;
    }
  }

  /** Reads one message; the subclass gives the value and the event time it carries. */
  private abstract static class ParseFn<T> extends DoFn<KafkaRecord<byte[], byte[]>, T> {
    private final DeadLetters.Origin origin;
    private final String counterName;
    private transient Counter read;

    ParseFn(UseCase useCase, String pipeline, String step, String counterName) {
      this.origin = DeadLetters.from(useCase.name(), pipeline, step);
      this.counterName = counterName;
    }

    @Setup
    public void setup() {
      read = PipelineCounters.counter(counterName);
      open();
    }

    /** Sets up what the subclass needs on the worker. */
    void open() {}

    @ProcessElement
    public void process(
        @Element KafkaRecord<byte[], byte[]> message,
        @Timestamp Instant timestamp,
        MultiOutputReceiver out) {
      read.inc();
      byte[] value = message.getKV().getValue() == null ? new byte[0] : message.getKV().getValue();
      String source = message.getTopic() + "-" + message.getPartition();
      try {
        T parsed = parse(value);
        if (parsed == null) {
          return;
        }
        long eventTime = eventTime(parsed);
        if (eventTime != timestamp.getMillis()) {
          throw new RejectedRecordException(
              ErrorType.OUT_OF_RANGE,
              "event time "
                  + new Instant(eventTime)
                  + " is too far ahead of the stream (at "
                  + timestamp
                  + ") or of the clock to be windowed");
        }
        out.get(outputTag()).output(parsed);
      } catch (RejectedRecordException e) {
        out.get(DEAD_LETTERS)
            .output(origin.reject(source, message.getOffset(), value, value.length, e));
      }
    }

    abstract TupleTag<T> outputTag();

    /** The value, or null to skip the message silently (counted by the subclass). */
    abstract T parse(byte[] payload) throws RejectedRecordException;

    abstract long eventTime(T value);
  }

  private static final class ParsePredictionFn extends ParseFn<Outcome> {
    private final PredictionMessages messages;
    private final ModelVersionCheck versions;
    private transient Counter otherTask;
    private transient Counter unverified;

    ParsePredictionFn(UseCase useCase, Task task, String pipeline, ModelVersionCheck versions) {
      super(useCase, pipeline, "ParsePredictions", PREDICTIONS_READ);
      this.messages = PredictionMessages.of(useCase, task);
      this.versions = versions;
    }

    @Override
    void open() {
      otherTask = PipelineCounters.counter(OTHER_TASK);
      unverified = PipelineCounters.counter(UNVERIFIED_VERSION);
    }

    @Override
    TupleTag<Outcome> outputTag() {
      return OUTCOMES;
    }

    @Override
    Outcome parse(byte[] payload) throws RejectedRecordException {
      Prediction p = messages.decode(payload);
      if (!messages.isOfTask(p)) {
        otherTask.inc();
        return null;
      }
      Outcome outcome = messages.outcome(p);
      switch (versions.check(p.getModelName(), p.getModelVersion())) {
        case UNKNOWN:
          throw new RejectedRecordException(
              ErrorType.UNKNOWN_MODEL_VERSION,
              "model '"
                  + p.getModelName()
                  + "' has no registered version '"
                  + p.getModelVersion()
                  + "'");
        case UNVERIFIED:
          unverified.inc();
          break;
        default:
          break;
      }
      return outcome;
    }

    @Override
    long eventTime(Outcome value) {
      return value.eventTime();
    }
  }

  private static final class ParseFeedbackFn extends ParseFn<Truth> {
    private final FeedbackMessages messages;

    ParseFeedbackFn(UseCase useCase, Task task, String pipeline) {
      super(useCase, pipeline, "ParseFeedback", FEEDBACK_READ);
      this.messages = FeedbackMessages.of(useCase, task);
    }

    @Override
    TupleTag<Truth> outputTag() {
      return TRUTHS;
    }

    @Override
    Truth parse(byte[] payload) throws RejectedRecordException {
      return messages.read(payload);
    }

    @Override
    long eventTime(Truth value) {
      return value.eventTime();
    }
  }
}
