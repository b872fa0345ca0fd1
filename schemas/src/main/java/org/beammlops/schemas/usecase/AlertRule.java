package org.beammlops.schemas.usecase;

import java.io.Serializable;
import java.util.Locale;

/**
 * One alert rule of a use case's config ({@code alerts:}): a live metric of a task compared with a
 * threshold on each ON_TIME window, firing after {@code forWindows} breaching windows in a row and
 * resolving at the first window that does not breach. Windows with fewer than {@code minCount}
 * labelled predictions, or where the metric is undefined, leave the rule as it is.
 *
 * @param name what the alert is called, unique in the use case
 * @param task the task whose metrics the rule reads
 * @param metric a live metric of that task, e.g. {@code roc_auc}, {@code mae}
 * @param comparison when a value breaches: below or above the threshold
 * @param threshold the value compared with
 * @param forWindows breaching ON_TIME windows in a row before it fires (at least 1)
 * @param minCount labelled predictions a window needs to be evaluated
 * @param severity INFO, WARNING or CRITICAL
 * @param perVersion evaluated for each model version apart, rather than for all together
 */
public record AlertRule(
    String name,
    String task,
    String metric,
    Comparison comparison,
    double threshold,
    int forWindows,
    long minCount,
    String severity,
    boolean perVersion)
    implements Serializable {

  /** When a metric value breaches the threshold. */
  public enum Comparison {
    BELOW("<"),
    ABOVE(">");

    private final String symbol;

    Comparison(String symbol) {
      this.symbol = symbol;
    }

    /** {@code <} or {@code >}. */
    public String symbol() {
      return symbol;
    }

    /** The comparison named in a config: {@code below}/{@code <} or {@code above}/{@code >}. */
    static Comparison parse(String text) {
      String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
      return switch (t) {
        case "below", "<", "lt" -> BELOW;
        case "above", ">", "gt" -> ABOVE;
        default -> null;
      };
    }
  }

  /** The severities an alert can have (the {@code Alert} schema's). */
  public static final java.util.List<String> SEVERITIES =
      java.util.List.of("INFO", "WARNING", "CRITICAL");

  /** True when {@code value} breaches the rule. */
  public boolean breachedBy(double value) {
    return comparison == Comparison.BELOW ? value < threshold : value > threshold;
  }

  /** e.g. {@code roc_auc < 0.6 for 3 windows}. */
  public String condition() {
    return metric
        + " "
        + comparison.symbol()
        + " "
        + threshold
        + " for "
        + forWindows
        + (forWindows == 1 ? " window" : " windows");
  }
}
