package org.beammlops.pipelines.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.commons.lang3.exception.ExceptionUtils;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.features.FeatureSpec;
import org.beammlops.transforms.features.NoRowsToFitException;
import org.beammlops.transforms.lake.Lake;
import org.beammlops.transforms.lake.ParquetFiles;
import org.beammlops.transforms.lake.ReadLake;
import org.beammlops.transforms.learn.FittedLearner;
import org.beammlops.transforms.learn.Learner;
import org.beammlops.transforms.learn.LearnerKind;
import org.beammlops.transforms.learn.LearnerSpec;
import org.beammlops.transforms.learn.Objective;
import org.beammlops.transforms.learn.RandomSearch;
import org.beammlops.transforms.learn.SplitTrainHoldout;
import org.beammlops.transforms.learn.StackedModel;
import org.beammlops.transforms.learn.Stacker;
import org.beammlops.transforms.tracking.MetricPoint;
import org.beammlops.transforms.tracking.RunHandle;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingSettings;

/**
 * {@code ./mlops train}: lake → train/holdout split → feature spec → cross-validated base learners
 * (the boosted trees searched) → stacker on out-of-fold scores → refit on all training rows →
 * holdout evaluation → one ONNX graph, checked against the learners' own predictions → MLflow model
 * directory → logged, registered, and promoted only if it beats the champion and the naive
 * baseline.
 *
 * <p>The data work and the fits are Beam pipelines on whatever runner the options name: the
 * (learner, fold) fits are elements spread over the workers. The driver only combines their small
 * results: the stacker has a handful of columns.
 */
public final class TrainPipeline {
  /** Largest difference allowed between the ONNX graph and the learners' own stack. */
  static final double PARITY_TOLERANCE = 1e-5;

  private TrainPipeline() {}

  /** Runs the command: once, or once per new batch with {@code --watch}. */
  public static Map<String, Object> run(TrainOptions options) {
    if (options.getWatchPath() != null) {
      return TrainWatcher.run(options);
    }
    return trainOnce(options);
  }

  /**
   * The prepare stage alone, into {@code dir}: read, split, export the training and holdout sets,
   * fit the feature spec and profile the training data. What {@code bench prepare} times; returns
   * the stage's counters.
   */
  public static Map<String, Object> prepare(TrainOptions options, String dir) {
    UseCase useCase = UseCases.loadOrDefault(options.getUseCase());
    Task task = useCase.task(options.getTask());
    options.setSplit(PrepareTrainingData.split(options, useCase));
    Pipeline pipeline = Pipeline.create(options);
    PrepareTrainingData.build(
        pipeline, options, useCase, task, new PrepareTrainingData.Locations(dir));
    return PipelineReports.runToCompletion(
        pipeline, "read", "labelled", "trainRows", "holdoutRows");
  }

  /** One training: returns the report printed as the command's last line. */
  public static Map<String, Object> trainOnce(TrainOptions options) {
    UseCase useCase = UseCases.loadOrDefault(options.getUseCase());
    Task task = useCase.task(options.getTask());
    options.setSplit(PrepareTrainingData.split(options, useCase));
    if (options.getSplit() == TrainOptions.Split.time) {
      SplitTrainHoldout.requireEventTime(useCase);
    }
    List<LearnerSpec> learners =
        LearnerOptions.parse(options.getLearners(), options.getLearnerParams());
    checkOptions(options);
    checkDataExists(options, useCase);
    String modelName =
        options.getRegisteredModel() != null
            ? options.getRegisteredModel()
            : useCase.modelName(task);
    String experiment = options.getExperiment() != null ? options.getExperiment() : modelName;
    try (TrackingClient tracking =
        TrackingClient.create(TrackingSettings.fromOptions(options).config())) {
      String experimentId = tracking.getOrCreateExperiment(experiment);
      RunHandle parent =
          tracking.startRun(
              experimentId, "train-" + task.name() + "-" + options.getRunId(), Map.of());
      try {
        Map<String, Object> report =
            new Training(options, useCase, task, learners, tracking, parent, modelName).run();
        parent.finish();
        return report;
      } catch (RuntimeException | Error e) {
        try {
          parent.setTag("mlops.error", String.valueOf(e.getMessage()));
          parent.fail();
        } catch (RuntimeException ignored) {
          // The tracking server may be what failed; the original error is what matters.
        }
        throw e;
      }
    }
  }

  private static void checkOptions(TrainOptions options) {
    if (options.getFolds() < 2) {
      throw new IllegalArgumentException("--folds must be at least 2, got " + options.getFolds());
    }
    if (options.getTrials() < 1) {
      throw new IllegalArgumentException("--trials must be at least 1, got " + options.getTrials());
    }
    PrepareTrainingData.date(options.getFrom());
    PrepareTrainingData.date(options.getTo());
    PrepareTrainingData.date(options.getHoldoutFrom());
  }

  /** A clear error before anything is started when there is nothing to train on. */
  private static void checkDataExists(TrainOptions options, UseCase useCase) {
    if (options.getInput() != null) {
      org.beammlops.pipelines.common.Commands.checkInputMatches(options.getInput());
      return;
    }
    Lake lake = Lake.at(options.getLake(), useCase.name());
    boolean any =
        ParquetFiles.match(lake.eventsGlob()).stream()
            .anyMatch(
                file ->
                    ReadLake.inRange(
                        ReadLake.partitionDate(file), options.getFrom(), options.getTo()));
    if (!any) {
      throw new IllegalArgumentException(
          "the lake "
              + lake.eventsDir()
              + " has no events"
              + (options.getFrom() == null && options.getTo() == null
                  ? ""
                  : " between "
                      + (options.getFrom() == null ? "the start" : options.getFrom())
                      + " and "
                      + (options.getTo() == null ? "the end" : options.getTo()))
              + "; ingest data first (./mlops ingest) or change --from/--to");
    }
  }

  /** The state of one training run, stage by stage. */
  private static final class Training {
    private final TrainOptions options;
    private final UseCase useCase;
    private final Task task;
    private final Objective objective;
    private final List<LearnerSpec> learners;
    private final TrackingClient tracking;
    private final RunHandle parent;
    private final String modelName;
    private final PrepareTrainingData.Locations out;
    private final Map<String, Double> stageSeconds = new LinkedHashMap<>();
    private final Map<String, Object> report = new LinkedHashMap<>();
    private double[] stackerWeights;

    Training(
        TrainOptions options,
        UseCase useCase,
        Task task,
        List<LearnerSpec> learners,
        TrackingClient tracking,
        RunHandle parent,
        String modelName) {
      this.options = options;
      this.useCase = useCase;
      this.task = task;
      this.objective = Objective.of(task);
      this.learners = learners;
      this.tracking = tracking;
      this.parent = parent;
      this.modelName = modelName;
      this.out =
          new PrepareTrainingData.Locations(
              Lake.at(options.getLake(), useCase.name()).trainingDir(parent.runId()));
    }

    Map<String, Object> run() {
      long start = System.nanoTime();
      report.put("runId", parent.runId());
      report.put("experimentId", parent.experimentId());
      logRunParams();

      Map<String, Long> counts = timed("prepare", this::prepare);
      TrainingData trainingData = TrainingData.of(options, useCase, out);
      FeatureSpec spec = FeatureSpec.fromJson(readText(out.featureSpec()));
      double[] classWeights = classWeights(counts);
      parent.logParams(classWeightParams(classWeights));
      parent.logParam("feature_columns", Integer.toString(spec.width()));

      FitLearners.Config config =
          new FitLearners.Config(
              FitLearners.filesOf(out.train()),
              FitLearners.filesOf(out.holdout()),
              spec.toJson(),
              task,
              useCase.idField().map(f -> f.name()).orElse(null),
              options.getFolds(),
              options.getSeed(),
              classWeights,
              out.fits());

      List<LearnerSpec> candidates = candidates();
      CrossValidation cv = timed("cross_validate", () -> crossValidate(candidates, config));
      List<LearnerSpec> chosen = cv.chosen(learners);
      List<FitResult> refits = timed("refit", () -> fit("refit", refitTasks(chosen), config));

      Stacker stacker = timed("stack", () -> cv.fitStacker(chosen));
      stackerWeights = stacker.weights();
      Map<String, String> stackParams = new TreeMap<>();
      for (int j = 0; j < chosen.size(); j++) {
        stackParams.put(
            "stacker_weight_" + chosen.get(j).name(), Double.toString(stacker.weights()[j]));
      }
      if (objective.isMultiClass()) {
        for (int c = 0; c < objective.classes(); c++) {
          stackParams.put(
              "stacker_intercept_" + task.classes().get(c),
              Double.toString(stacker.intercepts()[c]));
        }
      } else {
        stackParams.put("stacker_bias", Double.toString(stacker.bias()));
      }
      stackParams.put(
          "stacker",
          switch (task.type()) {
            case CLASSIFICATION -> "logistic regression on base log odds";
            case MULTICLASS ->
                "multinomial logistic regression on base class margins (one weight per learner,"
                    + " one intercept per class)";
            case REGRESSION -> "linear regression on base predictions";
          });
      double threshold = cv.decisionThreshold(task, stacker, chosen);
      if (task.isBinary()) {
        stackParams.put("decision_threshold", Double.toString(threshold));
        stackParams.put(
            "decision_threshold_source",
            task.fixedThreshold().isPresent() ? "config" : "f1_optimal_out_of_fold");
        report.put("decisionThreshold", threshold);
      }
      parent.logParams(stackParams);
      Holdout holdout =
          timed(
              "evaluate",
              () ->
                  Holdout.evaluate(
                      objective, chosen, refits, stacker, cv.baselinePrediction(), threshold));
      report.put("holdout", holdout.summary());
      logBaseLearners(cv, chosen, refits, holdout);

      Path modelDir =
          timed(
              "export",
              () ->
                  ModelExport.write(
                      task,
                      spec,
                      chosen,
                      refits,
                      stacker,
                      out,
                      holdout,
                      options,
                      useCase,
                      trainingData));
      Registration.Outcome outcome =
          timed(
              "register",
              () ->
                  Registration.logAndRegister(
                      tracking,
                      parent,
                      modelName,
                      useCase,
                      task,
                      spec,
                      modelDir,
                      holdout,
                      out,
                      trainingData,
                      options));
      report.put("model", outcome.summary());

      double learnerFitSeconds =
          cv.results.stream().mapToDouble(FitResult::fitSeconds).sum()
              + refits.stream().mapToDouble(FitResult::fitSeconds).sum();
      double total = (System.nanoTime() - start) / 1e9;
      List<MetricPoint> timings = new ArrayList<>();
      stageSeconds.forEach((k, v) -> timings.add(MetricPoint.of("stage_" + k + "_seconds", v)));
      timings.add(MetricPoint.of("total_seconds", total));
      timings.add(MetricPoint.of("learner_fit_seconds_sum", learnerFitSeconds));
      parent.logBatch(Map.of(), timings, Map.of());
      report.put("stageSeconds", stageSeconds);
      report.put("totalSeconds", round(total));
      report.put("learnerFitSecondsSum", round(learnerFitSeconds));
      return report;
    }

    /** One nested run per base learner of the stack: its CV, its refit and its holdout metrics. */
    private void logBaseLearners(
        CrossValidation cv, List<LearnerSpec> chosen, List<FitResult> refits, Holdout holdout) {
      for (int j = 0; j < chosen.size(); j++) {
        LearnerSpec learner = chosen.get(j);
        FitResult refit =
            refits.stream()
                .filter(r -> r.learner().name().equals(learner.name()))
                .findFirst()
                .orElseThrow();
        List<MetricPoint> extra = new ArrayList<>();
        holdout
            .bases()
            .get(learner.name())
            .forEach((k, v) -> extra.add(MetricPoint.of("holdout_" + k, v)));
        extra.add(MetricPoint.of("refit_seconds", refit.fitSeconds()));
        extra.add(MetricPoint.of("refit_train_rows", refit.trainRows()));
        extra.add(MetricPoint.of("holdout_score_seconds", refit.scoreSeconds()));
        extra.add(MetricPoint.of("stacker_weight", cvWeight(j)));
        Map<String, String> tags =
            Map.of("mlops.learner", learner.kind().id(), "mlops.stage", "base_learner");
        try (RunHandle child = parent.startChildRun(learner.name(), tags)) {
          cv.logCandidate(
              child,
              cv.sourceOf(learner.name()),
              Map.of("selected_from", cv.sourceOf(learner.name())),
              extra);
        }
      }
    }

    private double cvWeight(int j) {
      return stackerWeights[j];
    }

    private void logRunParams() {
      Map<String, String> params = new TreeMap<>();
      params.put("use_case", useCase.name());
      params.put("task", task.name());
      params.put("task_type", task.type().name().toLowerCase());
      params.put("label", task.label());
      params.put("learners", options.getLearners());
      params.put("learner_params", options.getLearnerParams());
      params.put("folds", Integer.toString(options.getFolds()));
      params.put("trials", Integer.toString(options.getTrials()));
      params.put("seed", Long.toString(options.getSeed()));
      params.put("split", options.getSplit().name());
      params.put("holdout_fraction", Double.toString(options.getHoldoutFraction()));
      params.put("holdout_from", String.valueOf(options.getHoldoutFrom()));
      params.put("from", String.valueOf(options.getFrom()));
      params.put("to", String.valueOf(options.getTo()));
      params.put("class_weights", options.getClassWeights().name());
      params.put("min_category_count", Integer.toString(options.getMinCategoryCount()));
      params.put("runner", options.getRunner().getSimpleName());
      params.put(
          "source",
          options.getInput() != null
              ? options.getInput()
              : Lake.at(options.getLake(), useCase.name()).eventsDir());
      params.put("training_set", out.train());
      params.put("holdout_set", out.holdout());
      Map<String, String> tags = new TreeMap<>();
      tags.put("mlflow.source.git.commit", GitCommit.current());
      tags.put("mlflow.source.name", "beam-mlops train");
      tags.put("mlflow.source.type", "JOB");
      tags.put("mlops.training_dir", out.dir());
      parent.logBatch(params, List.of(), tags);
    }

    private Map<String, Long> prepare() {
      Pipeline pipeline = Pipeline.create(options);
      PrepareTrainingData.build(pipeline, options, useCase, task, out);
      Map<String, Object> counters;
      List<String> names =
          new ArrayList<>(
              List.of(
                  "read",
                  "outOfRange",
                  "labelled",
                  "labelMissing",
                  "positives",
                  "trainRows",
                  "holdoutRows"));
      for (int c = 0; c < task.classes().size() && objective.isMultiClass(); c++) {
        names.add(PrepareTrainingData.classCounter(c));
      }
      try {
        counters = PipelineReports.runToCompletion(pipeline, names.toArray(String[]::new));
      } catch (RuntimeException e) {
        if (ExceptionUtils.indexOfType(e, NoRowsToFitException.class) >= 0) {
          throw new IllegalArgumentException(
              "no row has a '"
                  + task.label()
                  + "' label for training (rows without one are"
                  + " skipped, and the split leaves none in the training part): nothing to learn from",
              e);
        }
        throw e;
      }
      Map<String, Long> counts = new LinkedHashMap<>();
      counters.forEach(
          (k, v) -> {
            if (v instanceof Long l) {
              counts.put(k, l);
            }
          });
      report.put("rows", counts);
      List<MetricPoint> sizes = new ArrayList<>();
      counts.forEach((k, v) -> sizes.add(MetricPoint.of("rows_" + k, v)));
      parent.logBatch(Map.of(), sizes, Map.of());
      if (counts.getOrDefault("labelled", 0L) == 0) {
        throw new IllegalArgumentException(
            "no row has a '"
                + task.label()
                + "' label ("
                + counts.get("read")
                + " rows read, "
                + counts.get("labelMissing")
                + " without label): nothing to learn from");
      }
      if (counts.getOrDefault("trainRows", 0L) == 0
          || counts.getOrDefault("holdoutRows", 0L) == 0) {
        throw new IllegalArgumentException(
            "the split left "
                + counts.get("trainRows")
                + " training and "
                + counts.get("holdoutRows")
                + " holdout rows; both are needed (change --holdoutFraction, --holdoutFrom or the"
                + " date range)");
      }
      if (objective.isMultiClass()) {
        checkEveryClassHasRows(counts);
      }
      if (task.type() == Task.Type.CLASSIFICATION) {
        long positives = counts.getOrDefault("positives", 0L);
        if (positives == 0 || positives == counts.get("labelled")) {
          throw new IllegalArgumentException(
              "every labelled row is of one class ("
                  + (positives == 0 ? "none" : "all")
                  + " of "
                  + counts.get("labelled")
                  + " rows have "
                  + task
                  + "): a classifier needs both");
        }
      }
      return counts;
    }

    /**
     * A multi-class model learns the classes it sees: one class alone is not a classifier, and a
     * declared class without any row would be served with a probability learnt from nothing.
     */
    private void checkEveryClassHasRows(Map<String, Long> counts) {
      Map<String, Long> byClass = new LinkedHashMap<>();
      for (int c = 0; c < task.classes().size(); c++) {
        byClass.put(
            task.classes().get(c), counts.getOrDefault(PrepareTrainingData.classCounter(c), 0L));
      }
      report.put("classRows", byClass);
      List<String> present =
          byClass.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey).toList();
      if (present.size() < 2) {
        throw new IllegalArgumentException(
            "every labelled row of "
                + task
                + " is of one class ("
                + byClass
                + "): a classifier needs at least two");
      }
      List<String> missing =
          byClass.entrySet().stream()
              .filter(e -> e.getValue() == 0)
              .map(Map.Entry::getKey)
              .toList();
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException(
            "class"
                + (missing.size() == 1 ? " " : "es ")
                + missing
                + " of "
                + task
                + " ha"
                + (missing.size() == 1 ? "s" : "ve")
                + " no labelled row ("
                + byClass
                + "); a model cannot learn a class it never sees: add rows of it, or remove it"
                + " from the task's classes");
      }
    }

    /**
     * The weight of each class's rows in the fits, by target (null: all 1). Binary: the positive
     * class's rows weigh negatives / positives when weighting is on (auto: when the minority is
     * under 30% of the rows). Multi-class: each class weighs the largest class's count over its
     * own, on when the rarest class is under 60% of an even share (the binary rule's 30% of 50%).
     */
    private double[] classWeights(Map<String, Long> counts) {
      if (!objective.isClassification()
          || options.getClassWeights() == TrainOptions.ClassWeights.off) {
        return null;
      }
      double[] rows = new double[objective.classes()];
      if (objective.isMultiClass()) {
        for (int c = 0; c < rows.length; c++) {
          rows[c] = counts.getOrDefault(PrepareTrainingData.classCounter(c), 0L);
        }
      } else {
        rows[1] = counts.get("positives");
        rows[0] = counts.get("labelled") - rows[1];
      }
      double total = Arrays.stream(rows).sum();
      double rarest = Arrays.stream(rows).min().orElse(0) / total;
      if (options.getClassWeights() == TrainOptions.ClassWeights.auto
          && rarest >= 0.6 / rows.length) {
        return null;
      }
      double[] weights = new double[rows.length];
      if (objective.isMultiClass()) {
        double largest = Arrays.stream(rows).max().orElse(1);
        for (int c = 0; c < rows.length; c++) {
          weights[c] = largest / rows[c];
        }
      } else {
        weights[0] = 1;
        weights[1] = rows[0] / rows[1];
      }
      return weights;
    }

    /** The class weights as run params, named as before for binary tasks. */
    private Map<String, String> classWeightParams(double[] weights) {
      Map<String, String> params = new TreeMap<>();
      if (objective.isMultiClass()) {
        for (int c = 0; c < objective.classes(); c++) {
          params.put(
              "class_weight_" + task.classes().get(c),
              Double.toString(weights == null ? 1.0 : weights[c]));
        }
      } else if (objective.isClassification()) {
        params.put("positive_class_weight", Double.toString(weights == null ? 1.0 : weights[1]));
      } else {
        params.put("positive_class_weight", "1.0");
      }
      return params;
    }

    /** Every learner to cross-validate: the boosted trees expanded into search trials. */
    private List<LearnerSpec> candidates() {
      List<LearnerSpec> all = new ArrayList<>();
      for (LearnerSpec learner : learners) {
        if (learner.kind() == LearnerKind.GBT) {
          all.addAll(RandomSearch.trials(learner, options.getTrials(), options.getSeed()));
        } else {
          all.add(learner);
        }
      }
      return all;
    }

    private CrossValidation crossValidate(List<LearnerSpec> candidates, FitLearners.Config config) {
      List<FitTask> tasks = new ArrayList<>();
      for (LearnerSpec candidate : candidates) {
        for (int fold = 0; fold < options.getFolds(); fold++) {
          tasks.add(new FitTask(candidate, fold));
        }
      }
      List<FitResult> results = fit("cross_validate", tasks, config);
      CrossValidation cv = new CrossValidation(objective, options.getFolds(), results);
      cv.logTrials(parent);
      return cv;
    }

    private List<FitTask> refitTasks(List<LearnerSpec> chosen) {
      return chosen.stream().map(l -> new FitTask(l, FitTask.ALL)).toList();
    }

    private List<FitResult> fit(String stage, List<FitTask> tasks, FitLearners.Config config) {
      Pipeline pipeline = Pipeline.create(options);
      pipeline.apply("FitLearners", new FitLearners(tasks, config));
      PipelineReports.progress(
          "train: "
              + stage
              + ": "
              + tasks.size()
              + " fits on "
              + options.getRunner().getSimpleName());
      PipelineReports.runToCompletion(pipeline, "fits");
      return FitLearners.readResults(config.resultDir(), tasks);
    }

    private <T> T timed(String stage, java.util.function.Supplier<T> work) {
      long start = System.nanoTime();
      PipelineReports.progress("train: " + stage + " ...");
      T result = work.get();
      double seconds = round((System.nanoTime() - start) / 1e9);
      stageSeconds.put(stage, seconds);
      PipelineReports.progress("train: " + stage + " done in " + seconds + " s");
      return result;
    }
  }

  static double round(double seconds) {
    return Math.round(seconds * 100) / 100.0;
  }

  static String readText(String path) {
    try (var in =
        Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(path, false)))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /** Restores the refitted base learners, in stack order. */
  static List<FittedLearner> restore(
      Task task, List<LearnerSpec> chosen, List<FitResult> refits, int width) {
    List<FittedLearner> fitted = new ArrayList<>();
    for (LearnerSpec learner : chosen) {
      FitResult result =
          refits.stream()
              .filter(r -> r.learner().name().equals(learner.name()))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("no refit of " + learner.name()));
      fitted.add(Learner.restoreFitted(learner, Objective.of(task), result.modelBytes(), width));
    }
    return fitted;
  }

  static StackedModel stackedModel(
      Task task, FeatureSpec spec, List<LearnerSpec> chosen, List<FitResult> refits, Stacker s) {
    return new StackedModel(
        Objective.of(task), spec.width(), restore(task, chosen, refits, spec.width()), s);
  }

  static void writeText(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
