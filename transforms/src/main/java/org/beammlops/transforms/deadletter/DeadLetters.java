package org.beammlops.transforms.deadletter;

import java.io.Serializable;
import java.nio.ByteBuffer;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.transforms.metrics.PipelineCounters;

/**
 * Builds {@link DeadLetter} records and counts them, so every reject is kept the same way: a step
 * names its origin once ({@link #from}) and each reject then gives only what is its own.
 */
public final class DeadLetters {
  private DeadLetters() {}

  /** The origin of the dead letters of {@code pipeline}'s {@code step} for {@code useCase}. */
  public static Origin from(String useCase, String pipeline, String step) {
    return new Origin(useCase, pipeline, step);
  }

  /** Where dead letters come from: a step of a pipeline of a use case. */
  public record Origin(String useCase, String pipeline, String step) implements Serializable {

    /** A dead letter for a record the parsers rejected, counted under its error type. */
    public DeadLetter reject(
        String source, long position, byte[] payload, long payloadSize, RejectedRecordException e) {
      return reject(source, position, payload, payloadSize, e.errorType(), e.getMessage());
    }

    /**
     * A dead letter for {@code payload} (of {@code payloadSize} bytes in all, possibly more than it
     * holds) read at {@code position} of {@code source}, counted under {@code errorType}.
     */
    public DeadLetter reject(
        String source,
        long position,
        byte[] payload,
        long payloadSize,
        ErrorType errorType,
        String reason) {
      PipelineCounters.counter(PipelineCounters.DEAD_LETTER).inc();
      PipelineCounters.deadLetterCounter(errorType.name()).inc();
      return DeadLetter.newBuilder()
          .setUseCase(useCase)
          .setPipeline(pipeline)
          .setStep(step)
          .setSource(source)
          .setPosition(position)
          .setReason(reason)
          .setErrorType(errorType.name())
          .setPayload(ByteBuffer.wrap(payload))
          .setPayloadSize(payloadSize)
          .setFailedAt(java.time.Instant.now())
          .build();
    }
  }
}
