package org.beammlops.transforms.serving;

import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.ModelEvent;
import org.beammlops.schemas.Prediction;

/**
 * The typed output of {@link ScoreRecords} and {@link ScoreRequests}: predictions, dead letters
 * (records that could not be read or scored) and the model's loads, swaps and refusals.
 */
public final class ScoringResult implements POutput {
  private static final TupleTag<Prediction> PREDICTIONS = new TupleTag<>("predictions");
  private static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters");
  private static final TupleTag<ModelEvent> MODEL_EVENTS = new TupleTag<>("modelEvents");

  private final PCollection<Prediction> predictions;
  private final PCollection<DeadLetter> deadLetters;
  private final PCollection<ModelEvent> modelEvents;

  ScoringResult(
      PCollection<Prediction> predictions,
      PCollection<DeadLetter> deadLetters,
      PCollection<ModelEvent> modelEvents) {
    this.predictions = predictions;
    this.deadLetters = deadLetters;
    this.modelEvents = modelEvents;
  }

  /** One prediction per scored record. */
  public PCollection<Prediction> predictions() {
    return predictions;
  }

  /** Records that could not be parsed, validated or scored, with the reason. */
  public PCollection<DeadLetter> deadLetters() {
    return deadLetters;
  }

  /** Loads, swaps and refusals of model versions. */
  public PCollection<ModelEvent> modelEvents() {
    return modelEvents;
  }

  @Override
  public Pipeline getPipeline() {
    return predictions.getPipeline();
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return Map.of(PREDICTIONS, predictions, DEAD_LETTERS, deadLetters, MODEL_EVENTS, modelEvents);
  }

  @Override
  public void finishSpecifyingOutput(
      String transformName, PInput input, PTransform<?, ?> transform) {}
}
