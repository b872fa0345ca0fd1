package org.beammlops.transforms.serving;

import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.transforms.parse.InputFormat;
import org.beammlops.transforms.parse.ParseAndValidate;
import org.beammlops.transforms.parse.ParseResult;

/**
 * Request messages in, predictions out: parse and validate each message (JSON or Avro binary, by
 * its content-type header), then {@link ScoreRecords} with one prediction per request id. Every
 * request that is not scored is a dead letter, whether it failed to parse or to score.
 *
 * <pre>
 * messages ─ ParseAndValidate ─ ScoreRecords ─┬─▶ predictions, model events
 *                  └─ dead letters ───────────┴─▶ dead letters
 * </pre>
 */
public final class ScoreRequests
    extends PTransform<PCollection<KafkaRecord<byte[], byte[]>>, ScoringResult> {
  private final InputFormat defaultFormat;
  private final ScoreRecords score;

  private ScoreRequests(InputFormat defaultFormat, ScoreRecords score) {
    this.defaultFormat = defaultFormat;
    this.score = score;
  }

  /**
   * Parses messages without a content-type header as {@code defaultFormat} and scores them with
   * {@code score} (whose de-duplication and latency become those of requests).
   */
  public static ScoreRequests of(InputFormat defaultFormat, ScoreRecords score, int dedupKeys) {
    return new ScoreRequests(defaultFormat, score.asRequests(dedupKeys));
  }

  @Override
  public ScoringResult expand(PCollection<KafkaRecord<byte[], byte[]>> messages) {
    ParseResult parsed =
        messages.apply(
            "ParseAndValidate",
            ParseAndValidate.messages(score.useCase(), defaultFormat, score.pipelineName()));
    ScoringResult scored = parsed.records().apply("ScoreRecords", score);
    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(parsed.deadLetters())
            .and(scored.deadLetters())
            .apply("AllDeadLetters", Flatten.pCollections());
    return new ScoringResult(scored.predictions(), deadLetters, scored.modelEvents());
  }
}
