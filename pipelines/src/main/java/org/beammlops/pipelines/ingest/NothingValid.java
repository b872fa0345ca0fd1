package org.beammlops.pipelines.ingest;

import java.util.HashMap;
import java.util.Map;
import org.beammlops.transforms.deadletter.ErrorType;
import org.beammlops.transforms.lake.Lake;
import org.beammlops.transforms.lake.ParquetFiles;

/**
 * The error of a batch ingest in which no record was valid: a command that turned every record of
 * its input into a dead letter must not exit 0. It names the most frequent reason, with one
 * example, and a hint at the usual cause.
 */
final class NothingValid {
  private NothingValid() {}

  /** The message for a run whose dead letters are in {@code lake} under {@code runId}. */
  static String describe(Lake lake, String runId, String input, long deadLetters) {
    Map<String, Long> byType = new HashMap<>();
    Map<String, String> example = new HashMap<>();
    ParquetFiles.forEachRecord(
        lake.deadLetterDir() + "/date=*/part-" + runId + "-*.parquet",
        d -> {
          String type = String.valueOf(d.get("errorType"));
          byType.merge(type, 1L, Long::sum);
          example.putIfAbsent(type, String.valueOf(d.get("reason")));
        });
    String top =
        byType.entrySet().stream()
            .max(Map.Entry.comparingByValue())
            .map(Map.Entry::getKey)
            .orElse("?");
    return "no record of "
        + input
        + " was valid: "
        + deadLetters
        + " dead letters, "
        + byType.getOrDefault(top, 0L)
        + " of them "
        + top
        + " (e.g. "
        + example.getOrDefault(top, "?")
        + ")"
        + hint(top)
        + "; the dead letters are in "
        + lake.deadLetterDir();
  }

  private static String hint(String type) {
    ErrorType errorType;
    try {
      errorType = ErrorType.valueOf(type);
    } catch (IllegalArgumentException e) {
      return "";
    }
    return switch (errorType) {
      case MISSING_FIELD, UNKNOWN_FIELD ->
          ". Hint: the file's column names may not be the schema's; a field's source name"
              + " (mlops.source or aliases) says which column fills it, see ./mlops usecase check";
      case MALFORMED_JSON ->
          ". Hint: JSON is read as one object per line, as one array of objects, or as objects"
              + " over several lines when the first line is only '{'; check the file's shape";
      case MALFORMED_CSV, WRONG_COLUMN_COUNT ->
          ". Hint: CSV is read comma-separated with a header line; check the delimiter and quoting";
      case NOT_UTF8 -> ". Hint: the file is read as UTF-8; convert it (iconv -t UTF-8)";
      case UNKNOWN_CLASS ->
          ". Hint: the label values are not the classes the use case's tasks declare";
      default -> "";
    };
  }
}
