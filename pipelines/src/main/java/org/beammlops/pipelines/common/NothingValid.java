package org.beammlops.pipelines.common;

import java.util.HashMap;
import java.util.Map;
import org.beammlops.transforms.deadletter.ErrorType;
import org.beammlops.transforms.lake.Lake;
import org.beammlops.transforms.lake.ParquetFiles;
import org.beammlops.transforms.metrics.PipelineCounters;

/**
 * The error of a batch ingest in which no record was valid: a command that turned every record of
 * its input into a dead letter must not exit 0. It names the most frequent reason, with one
 * example, and a hint at the usual cause.
 */
public final class NothingValid {
  private NothingValid() {}

  /**
   * The error for a run of {@code input} whose counters say no record was valid, or null when some
   * was (or nothing was read). {@code examples} gives a reason per error type where the run's dead
   * letters can be read back; {@code where} is where they are.
   */
  public static String describe(
      String input, Map<String, Object> counters, Map<String, String> examples, String where) {
    long valid = number(counters.get(PipelineCounters.VALID));
    long rejected = number(counters.get(PipelineCounters.DEAD_LETTER));
    if (valid > 0 || rejected == 0) {
      return null;
    }
    String prefix = PipelineCounters.DEAD_LETTER + ".";
    String top = "?";
    long topCount = 0;
    for (Map.Entry<String, Object> e : counters.entrySet()) {
      if (e.getKey().startsWith(prefix) && number(e.getValue()) > topCount) {
        top = e.getKey().substring(prefix.length());
        topCount = number(e.getValue());
      }
    }
    String example = examples.get(top);
    return "no record of "
        + input
        + " was valid: "
        + rejected
        + " dead letters, "
        + topCount
        + " of them "
        + top
        + (example == null ? "" : " (e.g. " + example + ")")
        + hint(top)
        + "; the dead letters are in "
        + where;
  }

  /** One reason per error type among the lake's dead letters of run {@code runId}. */
  public static Map<String, String> examplesInLake(Lake lake, String runId) {
    Map<String, String> examples = new HashMap<>();
    ParquetFiles.forEachRecord(
        lake.deadLetterDir() + "/date=*/part-" + runId + "-*.parquet",
        d ->
            examples.putIfAbsent(
                String.valueOf(d.get("errorType")), String.valueOf(d.get("reason"))));
    return examples;
  }

  private static long number(Object value) {
    return value instanceof Number n ? n.longValue() : 0L;
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
