package org.beammlops.transforms.deadletter;

/** Stable categories of rejected records, so dead letters can be counted and queried by kind. */
public enum ErrorType {
  EMPTY_FILE,
  UNREADABLE_SOURCE,
  RECORD_TOO_LARGE,
  NOT_UTF8,
  EMPTY_RECORD,
  MALFORMED_CSV,
  MALFORMED_JSON,
  MALFORMED_AVRO,
  WRONG_COLUMN_COUNT,
  MISSING_FIELD,
  UNKNOWN_FIELD,
  WRONG_TYPE,
  MALFORMED_NUMBER,
  NOT_INTEGER,
  NOT_FINITE,
  OUT_OF_RANGE,
  PATTERN_MISMATCH,
  MALFORMED_TIMESTAMP,
  /** An id longer than {@code RecordParser.MAX_ID_LENGTH}: it would be copied into every output. */
  ID_TOO_LONG,
  /**
   * A field given twice in one record: a repeated CSV column or JSON key, or a field's name and its
   * source name both present. Rejected rather than one of them picked silently.
   */
  DUPLICATE_FIELD,
  /**
   * A number whose text is longer than {@code FieldValues.MAX_NUMBER_LENGTH}: rejected before any
   * arithmetic, whose cost would grow with the square of its length.
   */
  NUMBER_TOO_LONG,
  /** A label value outside the classes a task declares for it. */
  UNKNOWN_CLASS,
  /** Feedback whose labels contradict each other, e.g. a delay of 5 with {@code delay15: true}. */
  INCONSISTENT_LABELS,
  /** A prediction naming a model version the registry does not hold. */
  UNKNOWN_MODEL_VERSION,
  /** Valid input the model could not score (vectorizing or the model itself failed). */
  INFERENCE_FAILED,
  /** An output whose message exceeds the topic's size limit ({@code Topics.MAX_MESSAGE_BYTES}). */
  MESSAGE_TOO_LARGE,
  /** An output a sink could not encode. */
  UNENCODABLE,
  /** An alert a webhook or mail server did not accept, after every retry. */
  DELIVERY_FAILED
}
