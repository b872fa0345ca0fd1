package org.beammlops.pipelines.train;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.beammlops.pipelines.common.MlopsOptions;
import org.beammlops.transforms.parse.Format;
import org.beammlops.transforms.tracking.TrackingOptions;

/** Options of {@code ./mlops train}. */
public interface TrainOptions extends MlopsOptions, TrackingOptions {
  /** How the holdout is split off: by time, or by a hash of the id. */
  enum Split {
    /** The latest dates (or those from --holdoutFrom) are held out. */
    time,
    /** A seeded hash of the id decides. */
    hash
  }

  /** Whether the minority class of a classification task is weighted up. */
  enum ClassWeights {
    /** On when the minority class is under 30% of the labelled rows. */
    auto,
    on,
    off
  }

  @Description(
      "Task of the use case to train, e.g. delay15 (classification) or delay (regression).")
  @Validation.Required
  String getTask();

  void setTask(String value);

  @Description(
      "Train from these files (csv, json lines, parquet; parsed and validated like ingest) instead"
          + " of the lake's events.")
  String getInput();

  void setInput(String value);

  @Description("Format of --input: auto (by extension), csv, json, parquet.")
  @Default.Enum("auto")
  Format getFormat();

  void setFormat(Format value);

  @Description("First event date to use, YYYY-MM-DD (inclusive); default: the earliest.")
  String getFrom();

  void setFrom(String value);

  @Description("Last event date to use, YYYY-MM-DD (inclusive); default: the latest.")
  String getTo();

  void setTo(String value);

  @Description(
      "Holdout split: time (the latest dates are held out) or hash (by id). Default: time when the"
          + " use case has an event time, else hash.")
  Split getSplit();

  void setSplit(Split value);

  @Description("Share of rows held out (time: whole latest dates adding up to about this).")
  @Default.Double(0.2)
  double getHoldoutFraction();

  void setHoldoutFraction(double value);

  @Description("Time split: hold out every event on or after this date instead of a fraction.")
  String getHoldoutFrom();

  void setHoldoutFrom(String value);

  @Description("Number of cross-validation folds.")
  @Default.Integer(5)
  int getFolds();

  void setFolds(int value);

  @Description("Base learners to stack, comma-separated: linear, gbt, rf.")
  @Default.String("linear,gbt,rf")
  String getLearners();

  void setLearners(String value);

  @Description(
      "Learner params, comma-separated learner.param=value, e.g."
          + " gbt.rounds=200,rf.num_parallel_tree=50,linear.epochs=3.")
  @Default.String("")
  String getLearnerParams();

  void setLearnerParams(String value);

  @Description("Hyperparameter search budget for the boosted trees: trials, each cross-validated.")
  @Default.Integer(6)
  int getTrials();

  void setTrials(int value);

  @Description("Seed of folds, search and learners: same seed and data give the same model.")
  @Default.Long(42)
  long getSeed();

  void setSeed(long value);

  @Description(
      "How much better than the champion (relative, on the primary metric) a new version must"
          + " score to replace it; smaller gains are noise (e.g. a retraining on the same data in"
          + " another file order) and leave the champion in place.")
  @Default.Double(1e-6)
  double getMinImprovement();

  void setMinImprovement(double value);

  @Description(
      "The gate compares the new model with the champion only on holdout rows neither trained on;"
          + " with fewer than this many, there is no fair comparison and the champion stays.")
  @Default.Long(100)
  long getMinGateRows();

  void setMinGateRows(long value);

  @Description(
      "Class weights for classification: auto (on when the minority class is under 30%), on, off.")
  @Default.Enum("auto")
  ClassWeights getClassWeights();

  void setClassWeights(ClassWeights value);

  @Description("Minimum count for a category to get its own column (others share <oov>).")
  @Default.Integer(5)
  int getMinCategoryCount();

  void setMinCategoryCount(int value);

  @Description("Experiment to log to; default <useCase>-<task>.")
  String getExperiment();

  void setExperiment(String value);

  @Description("Registered model name; default <useCase>-<task>.")
  String getRegisteredModel();

  void setRegisteredModel(String value);

  @Description("Register the model (and gate it against the champion); off only logs the run.")
  @Default.Boolean(true)
  boolean getRegister();

  void setRegister(boolean value);

  @Description(
      "Keep running and retrain once per new batch appearing under this path (the lake, or a"
          + " folder of input batches that are ingested first). Named apart from ingest's --watch"
          + " flag, as Beam requires.")
  String getWatchPath();

  void setWatchPath(String value);

  @Description("With --watchPath: seconds between looks for a new batch.")
  @Default.Integer(10)
  int getWatchIntervalSeconds();

  void setWatchIntervalSeconds(int value);

  @Description("With --watchPath: stop after this many trainings (0 = run until stopped).")
  @Default.Integer(0)
  int getMaxTrainings();

  void setMaxTrainings(int value);
}
