package org.beammlops.transforms.parse;

import java.util.Locale;

/** The file and message formats a use case's records can arrive in. */
public enum InputFormat {
  CSV,
  JSON,
  AVRO,
  PARQUET;

  /**
   * The format named by an option value, or for {@code auto} the one the file name's extension says
   * ({@code .csv}, {@code .json}/{@code .jsonl}/{@code .ndjson}, {@code .avro}, {@code .parquet}; a
   * trailing compression extension such as {@code .gz} is ignored).
   */
  public static InputFormat of(String option, String fileName) {
    if (option != null && !option.equalsIgnoreCase("auto")) {
      try {
        return valueOf(option.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Unknown format '" + option + "'; use auto, csv, json, avro or parquet");
      }
    }
    String name = fileName.toLowerCase(Locale.ROOT).replaceAll("\\.(gz|bz2|zst|deflate|zip)$", "");
    if (name.endsWith(".csv")) {
      return CSV;
    }
    if (name.endsWith(".json") || name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
      return JSON;
    }
    if (name.endsWith(".avro")) {
      return AVRO;
    }
    if (name.endsWith(".parquet")) {
      return PARQUET;
    }
    throw new IllegalArgumentException(
        "Cannot tell the format of '" + fileName + "' from its extension; pass --format");
  }
}
