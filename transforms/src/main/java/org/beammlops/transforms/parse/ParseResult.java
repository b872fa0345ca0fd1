package org.beammlops.transforms.parse;

import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.beammlops.schemas.DeadLetter;

/**
 * The typed output of {@link ParseAndValidate}: valid records of the use case's lake schema and
 * dead letters, as two PCollections of one step (the Dataflow templates' dead-letter pattern).
 */
public final class ParseResult implements POutput {
  static final TupleTag<GenericRecord> RECORDS = new TupleTag<GenericRecord>() {};
  static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>() {};

  private final PCollectionTuple tuple;

  ParseResult(PCollectionTuple tuple) {
    this.tuple = tuple;
  }

  /** Records that passed every check, with an id, a source and a position. */
  public PCollection<GenericRecord> records() {
    return tuple.get(RECORDS);
  }

  /** Records that did not, with their original bytes and the reason. */
  public PCollection<DeadLetter> deadLetters() {
    return tuple.get(DEAD_LETTERS);
  }

  @Override
  public Pipeline getPipeline() {
    return tuple.getPipeline();
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return tuple.expand();
  }

  @Override
  public void finishSpecifyingOutput(
      String transformName,
      PInput input,
      org.apache.beam.sdk.transforms.PTransform<?, ?> transform) {}
}
