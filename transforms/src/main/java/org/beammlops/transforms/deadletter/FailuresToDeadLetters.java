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

  /** What a dead letter keeps of a failed element: its bytes and where it was read. */
  public interface Lineage<T> extends Serializable {
    /** The element's bytes, as close to what was read as there is. */
    byte[] payload(T element);

    /** Where the element was read from (a file, a topic partition). */
    String source(T element);

    /** Its position there, or -1 when it has none. */
    long position(T element);
  }

  private final DeadLetters.Origin origin;
  private final ErrorType errorType;
  private final Lineage<T> lineage;

  private FailuresToDeadLetters(
      DeadLetters.Origin origin, ErrorType errorType, Lineage<T> lineage) {
    this.origin = origin;
    this.errorType = errorType;
    this.lineage = lineage;
  }

  /** Dead letters from {@code origin}, all of {@code errorType}, keeping {@code lineage}. */
  public static <T> FailuresToDeadLetters<T> of(
      DeadLetters.Origin origin, ErrorType errorType, Lineage<T> lineage) {
    return new FailuresToDeadLetters<>(origin, errorType, lineage);
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
      byte[] payload = spec.lineage.payload(element);
      out.output(
          spec.origin.reject(
              spec.lineage.source(element),
              spec.lineage.position(element),
              payload,
              payload.length,
              spec.errorType,
              failure.getValue()));
    }
  }
}
