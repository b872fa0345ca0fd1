package org.beammlops.transforms.feedback;

import java.util.ArrayList;
import java.util.List;
import org.beammlops.schemas.usecase.AlertRule;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;

/**
 * The names of the live metrics a task's windows carry (those of its windows of expected
 * performance, {@code estimated_*}, among them), so that an alert rule naming another one is
 * refused when the metrics pipeline starts, with the list of the known ones.
 */
public final class LiveMetricNames {
  private static final List<String> COMMON =
      List.of(
          "count",
          "labelled",
          "label_coverage",
          "drift_rows",
          "drift_share",
          "drifted_features",
          "tested_features",
          "dataset_drift");

  private LiveMetricNames() {}

  /** Every metric a window of {@code task} can carry. */
  public static List<String> of(Task task) {
    List<String> names = new ArrayList<>(COMMON);
    switch (task.type()) {
      case REGRESSION ->
          names.addAll(
              List.of("mae", "rmse", "r2", "bias", "mape", "mean_target", "mean_prediction"));
      case MULTICLASS -> {
        names.addAll(
            List.of(
                "accuracy",
                "f1_macro",
                "f1_weighted",
                "log_loss",
                "brier",
                "roc_auc_ovr_macro",
                "roc_auc_error_bound"));
        for (String c : task.outputClasses()) {
          names.add("observed_rate_" + c);
          names.add("mean_predicted_" + c);
        }
        names.add("estimated_predictions");
        names.add("estimated_accuracy");
      }
      default ->
          names.addAll(
              List.of(
                  "positives",
                  "observed_rate",
                  "mean_predicted",
                  "accuracy",
                  "precision",
                  "recall",
                  "f1",
                  "roc_auc",
                  "roc_auc_error_bound",
                  "log_loss",
                  "brier",
                  "estimated_predictions",
                  "estimated_accuracy",
                  "estimated_precision",
                  "estimated_recall",
                  "estimated_f1",
                  "estimated_roc_auc",
                  "estimated_positive_rate"));
    }
    return names;
  }

  /** The use case's rules on {@code task}; fails on a rule naming a metric the task lacks. */
  public static List<AlertRule> rulesOf(UseCase useCase, Task task) {
    List<AlertRule> rules = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (AlertRule rule : useCase.alerts()) {
      if (!rule.task().equals(task.name())) {
        continue;
      }
      if (!of(task).contains(rule.metric())) {
        problems.add(
            "alert rule '"
                + rule.name()
                + "' names metric '"
                + rule.metric()
                + "', which task "
                + task.name()
                + " does not have; its metrics are "
                + of(task));
      }
      rules.add(rule);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return rules;
  }
}
