package org.beammlops.transforms.serving;

import com.google.auto.value.AutoValue;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.Prediction;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.deadletter.DeadLetters;
import org.beammlops.transforms.deadletter.ErrorType;
import org.beammlops.transforms.deadletter.FailuresToDeadLetters;
import org.beammlops.transforms.dedup.DeduplicateById;
import org.beammlops.transforms.inference.ModelOutput;
import org.beammlops.transforms.inference.RunInference;
import org.beammlops.transforms.metrics.CountElements;
import org.beammlops.transforms.parse.RecordEncoder;
import org.joda.time.Duration;

/**
 * Valid records of a use case in, {@link Prediction}s out: (optionally) one per id, scored by
 * {@link RunInference}, each the platform's prediction record; records the model could not score
 * become dead letters. The scoring core that real-time scoring and batch prediction share.
 *
 * <pre>
 * records ─ [OnePredictionPerId] ─ RunInference ─ ToPrediction ─ CountPredictions ─▶ predictions
 *                                      ├─ failures ─ FailuresToDeadLetters ───────▶ dead letters
 *                                      └─ model events ───────────────────────────▶ model events
 * </pre>
 */
@AutoValue
public abstract class ScoreRecords extends PTransform<PCollection<GenericRecord>, ScoringResult> {
  /** The counter of predictions made, in every pipeline that scores. */
  public static final String PREDICTIONS = "predictions";

  abstract UseCase useCase();

  abstract Task task();

  abstract String pipelineName();

  abstract RunInference<GenericRecord, ModelOutput> inference();

  abstract boolean latencyFromSend();

  abstract int dedupKeys();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setUseCase(UseCase value);

    abstract Builder setTask(Task value);

    abstract Builder setPipelineName(String value);

    abstract Builder setInference(RunInference<GenericRecord, ModelOutput> value);

    abstract Builder setLatencyFromSend(boolean value);

    abstract Builder setDedupKeys(int value);

    abstract ScoreRecords build();
  }

  /**
   * Scores every record of {@code task} with {@code inference}; latency is the model's time for the
   * record's batch (for records that were never sent as requests).
   */
  public static ScoreRecords with(
      UseCase useCase,
      Task task,
      String pipelineName,
      RunInference<GenericRecord, ModelOutput> inference) {
    return new AutoValue_ScoreRecords.Builder()
        .setUseCase(useCase)
        .setTask(task)
        .setPipelineName(pipelineName)
        .setInference(inference)
        .setLatencyFromSend(false)
        .setDedupKeys(0)
        .build();
  }

  /**
   * For requests read from a topic: one prediction per request id within the use case's
   * de-duplication TTL (state spread over {@code keys} keys), latency from the request's send time.
   */
  public ScoreRecords asRequests(int keys) {
    if (keys < 1) {
      throw new IllegalArgumentException("de-duplication needs at least one key, not " + keys);
    }
    return toBuilder().setLatencyFromSend(true).setDedupKeys(keys).build();
  }

  @Override
  public ScoringResult expand(PCollection<GenericRecord> records) {
    PCollection<GenericRecord> toScore = records;
    if (dedupKeys() > 0) {
      toScore =
          records.apply(
              "OnePredictionPerId",
              DeduplicateById.withTtl(
                  useCase(), Duration.millis(useCase().dedupTtl().toMillis()), dedupKeys()));
    }
    RunInference.Result<GenericRecord, ModelOutput> scored =
        toScore.apply("RunInference", inference());
    PCollection<Prediction> predictions =
        scored
            .predictions()
            .apply(
                "ToPrediction",
                ParDo.of(
                    latencyFromSend()
                        ? ToPrediction.fromRequests(useCase(), task())
                        : ToPrediction.withBatchLatency(useCase(), task())))
            .setCoder(AvroCoder.of(Prediction.class))
            .apply("CountPredictions", CountElements.as(PREDICTIONS));
    PCollection<DeadLetter> failures =
        scored
            .failures()
            .apply(
                "FailuresToDeadLetters",
                FailuresToDeadLetters.of(
                    DeadLetters.from(useCase().name(), pipelineName(), "RunInference"),
                    ErrorType.INFERENCE_FAILED,
                    new RecordLineage(useCase())));
    return new ScoringResult(predictions, failures, scored.modelEvents());
  }

  /** What a dead letter keeps of a valid record: its JSON form, source and position. */
  static final class RecordLineage implements FailuresToDeadLetters.Lineage<GenericRecord> {
    private final RecordEncoder encoder;

    RecordLineage(UseCase useCase) {
      this.encoder = new RecordEncoder(useCase, false);
    }

    @Override
    public byte[] payload(GenericRecord record) {
      return encoder.toJson(record);
    }

    @Override
    public String source(GenericRecord record) {
      return String.valueOf(record.get(UseCase.SOURCE_FIELD));
    }

    @Override
    public long position(GenericRecord record) {
      Object p =
          record.getSchema().getField(UseCase.POSITION_FIELD) == null
              ? null
              : record.get(UseCase.POSITION_FIELD);
      return p instanceof Number n ? n.longValue() : -1;
    }
  }
}
