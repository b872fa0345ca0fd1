package org.beammlops.pipelines.drift;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.beammlops.pipelines.common.AlertOptions;
import org.beammlops.pipelines.common.MlopsOptions;
import org.beammlops.transforms.tracking.TrackingOptions;

/** Options of {@code ./mlops drift}. */
public interface DriftOptions extends MlopsOptions, TrackingOptions, AlertOptions {
  /** What is compared with the reference. */
  enum Source {
    predictions,
    events
  }

  @Description("Task whose model's reference profile is the reference, e.g. delay15.")
  @Validation.Required
  String getTask();

  void setTask(String value);

  @Description("Model whose reference profile is the reference; default models:/<model>@champion.")
  String getModel();

  void setModel(String value);

  @Description(
      "The current data: predictions (the prediction log of the task: what the model saw) or"
          + " events (the lake's ingested records).")
  @Default.Enum("predictions")
  Source getSource();

  void setSource(Source value);

  @Description(
      "Files to take as the data instead of the lake (CSV, JSON lines or Parquet of the use"
          + " case's fields, any glob); --from/--to and --referenceFrom/--referenceTo pick their"
          + " records by event date.")
  String getInput();

  void setInput(String value);

  @Description("First event date of the current data (YYYY-MM-DD, inclusive).")
  String getFrom();

  void setFrom(String value);

  @Description("Last event date of the current data (YYYY-MM-DD, inclusive).")
  String getTo();

  void setTo(String value);

  @Description(
      "First event date of a reference range of the same source, instead of the model's profile.")
  String getReferenceFrom();

  void setReferenceFrom(String value);

  @Description("Last event date of the reference range (inclusive).")
  String getReferenceTo();

  void setReferenceTo(String value);

  @Description(
      "Where the HTML report goes; default <lake>/<useCase>/drift/<runId>/report.html (the JSON"
          + " and the profiles go beside it).")
  String getReport();

  void setReport(String value);

  @Description("Log the report to a drift run on the tracking server (metrics and artifacts).")
  @Default.Boolean(true)
  boolean getTrackDrift();

  void setTrackDrift(boolean value);

  @Description("Publish an alert to <useCase>.alerts (and the alert sinks) on dataset drift.")
  @Default.Boolean(true)
  boolean getPublishAlerts();

  void setPublishAlerts(boolean value);

  @Description("Experiment of the drift run; default the registered model's name.")
  String getExperiment();

  void setExperiment(String value);

  @Description(
      "On dataset drift, train the task again (on --retrainFrom/--retrainTo of the lake's events, or"
          + " --retrainInput), at most once per --retrainCooldown; the gate decides champion or"
          + " challenger, and the scoring job hot-swaps a new champion.")
  @Default.Boolean(false)
  boolean getRetrainOnDrift();

  void setRetrainOnDrift(boolean value);

  @Description("The shortest time between two retrainings on drift, ISO-8601 (e.g. PT24H).")
  @Default.String("PT24H")
  String getRetrainCooldown();

  void setRetrainCooldown(String value);

  @Description(
      "First event date to retrain on; default --retrainDays before the last date of the drift"
          + " range (--to, else today).")
  String getRetrainFrom();

  void setRetrainFrom(String value);

  @Description("Last event date to retrain on; default the last date of the drift range.")
  String getRetrainTo();

  void setRetrainTo(String value);

  @Description("Days of data to retrain on when --retrainFrom is not given.")
  @Default.Integer(90)
  int getRetrainDays();

  void setRetrainDays(int value);

  @Description("Retrain from these files instead of the lake's events.")
  String getRetrainInput();

  void setRetrainInput(String value);

  @Description(
      "More options of the training, space-separated, e.g. \"--learners=linear,gbt --folds=3\";"
          + " its runner is this job's unless they name one.")
  @Default.String("")
  String getRetrainArgs();

  void setRetrainArgs(String value);
}
