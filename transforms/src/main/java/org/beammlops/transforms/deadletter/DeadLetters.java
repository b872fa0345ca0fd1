package org.beammlops.transforms.deadletter;

import java.nio.ByteBuffer;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.transforms.metrics.PipelineCounters;

/** Builds {@link DeadLetter} records and counts them, so every reject is kept the same way. */
public final class DeadLetters {
  private DeadLetters() {}

  /** A dead letter for a rejected record, counted under its error type. */
  public static DeadLetter of(
      String useCase,
      String pipeline,
      String step,
      String source,
      long position,
      byte[] payload,
      long payloadSize,
      RejectedRecordException error) {
    return of(
        useCase,
        pipeline,
        step,
        source,
        position,
        payload,
        payloadSize,
        error.errorType(),
        error.getMessage());
  }

  public static DeadLetter of(
      String useCase,
      String pipeline,
      String step,
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
