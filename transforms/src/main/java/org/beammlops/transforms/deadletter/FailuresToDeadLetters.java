package org.beammlops.transforms.deadletter;

import java.io.Serializable;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.beammlops.schemas.DeadLetter;

/**
 * Elements a step could not process, each with its reason, as counted dead letters: the dead-letter
 * side of a step with a failure output (RunInference's failures, for one), written once instead of
 * as a lambda in every pipeline. The {@link Origin} says what of an element is kept: its bytes,
 * where it came from, its position there.
 */
public final class FailuresToDeadLetters<T>
    extends PTransform<PCollection<KV<T, String>>, PCollection<DeadLetter>> {

  /** What a dead letter keeps of a failed element. */
  public interface Origin<T> extends Serializable {
    /** The element's bytes, as close to what was read as there is. */
    byte[] payload(T element);

    /** Where the element was read from (a file, a topic partition). */
    String source(T element);

    /** Its position there, or -1 when it has none. */
    long position(T element);
  }

  private final String useCase;
  private final String pipeline;
  private final String step;
  private final ErrorType errorType;
  private final Origin<T> origin;

  private FailuresToDeadLetters(
      String useCase, String pipeline, String step, ErrorType errorType, Origin<T> origin) {
    this.useCase = useCase;
    this.pipeline = pipeline;
    this.step = step;
    this.errorType = errorType;
    this.origin = origin;
  }

  /** Dead letters of {@code pipeline}'s {@code step}, all of {@code errorType}. */
  public static <T> FailuresToDeadLetters<T> of(
      String useCase, String pipeline, String step, ErrorType errorType, Origin<T> origin) {
    return new FailuresToDeadLetters<>(useCase, pipeline, step, errorType, origin);
  }

  @Override
  public PCollection<DeadLetter> expand(PCollection<KV<T, String>> failures) {
    return failures
        .apply("AsDeadLetters", ParDo.of(new AsDeadLetter<>(this)))
        .setCoder(AvroCoder.of(DeadLetter.class));
  }

  private static final class AsDeadLetter<T> extends DoFn<KV<T, String>, DeadLetter> {
    private final FailuresToDeadLetters<T> spec;

    AsDeadLetter(FailuresToDeadLetters<T> spec) {
      this.spec = spec;
    }

    @ProcessElement
    public void process(@Element KV<T, String> failure, OutputReceiver<DeadLetter> out) {
      T element = failure.getKey();
      byte[] payload = spec.origin.payload(element);
      out.output(
          DeadLetters.of(
              spec.useCase,
              spec.pipeline,
              spec.step,
              spec.origin.source(element),
              spec.origin.position(element),
              payload,
              payload.length,
              spec.errorType,
              failure.getValue()));
    }
  }
}
