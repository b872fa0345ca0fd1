package org.beammlops.transforms.parse;

/**
 * The format an option or a job file names: one of the {@link InputFormat}s, or {@code auto} to
 * tell it from the file name (for messages without a content-type header: JSON). Its constants are
 * lowercase because they are what users type: Beam parses an option's value by constant name, and
 * says which names there are when it is none of them.
 */
public enum Format {
  /** By file extension; JSON for messages. */
  auto,
  csv,
  json,
  avro,
  parquet;

  /** The format of the file {@code fileName}: this one, or for {@code auto} its extension's. */
  public InputFormat forFile(String fileName) {
    return InputFormat.of(name(), fileName);
  }

  /** The format of messages without a content-type header: JSON or Avro binary. */
  public InputFormat forMessages() {
    return switch (this) {
      case auto, json -> InputFormat.JSON;
      case avro -> InputFormat.AVRO;
      default ->
          throw new IllegalArgumentException(
              "messages are json or avro (or auto: json), not " + name());
    };
  }
}
