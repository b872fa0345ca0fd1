package org.beammlops.pipelines.train;

import java.time.LocalDate;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.deadletter.WriteDeadLetters;
import org.beammlops.transforms.features.FeatureSpec;
import org.beammlops.transforms.features.FitFeatureSpec;
import org.beammlops.transforms.files.MatchInputFiles;
import org.beammlops.transforms.lake.EventDateRange;
import org.beammlops.transforms.lake.EventDates;
import org.beammlops.transforms.lake.Lake;
import org.beammlops.transforms.lake.ReadLake;
import org.beammlops.transforms.lake.WritePartitionedParquet;
import org.beammlops.transforms.learn.SeenRows;
import org.beammlops.transforms.learn.SplitTrainHoldout;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.beammlops.transforms.parse.ParseAndValidate;
import org.beammlops.transforms.parse.ParseResult;
import org.beammlops.transforms.profile.DatasetProfiles;
import org.beammlops.transforms.profile.ProfileDataset;

/**
 * The data half of training, as one Beam pipeline:
 *
 * <pre>
 * lake (date range) or files ─ KeepLabelled ─ SplitTrainHoldout ─┬─ train ─┬─ ExportTrain      training/&lt;run&gt;/train/
 *                                                               │         ├─ FitFeatureSpec   feature_spec.json
 *                                                               │         ├─ Profile          reference_profile.json
 *                                                               │         └─ SeenRows         seen_rows.json (for the gate)
 *                                                               └─ holdout ── ExportHoldout   training/&lt;run&gt;/holdout/
 * </pre>
 */
final class PrepareTrainingData {
  static final String NAME = "train";
  static final String FEATURE_SPEC = "feature_spec";
  static final String REFERENCE_PROFILE = "reference_profile";
  static final String SEEN_ROWS = "seen_rows";

  private PrepareTrainingData() {}

  /** Where one training run's data goes: {@code <lake>/<uc>/training/<run id>/}. */
  record Locations(String dir) {
    String train() {
      return dir + "/train";
    }

    String holdout() {
      return dir + "/holdout";
    }

    String featureSpec() {
      return dir + "/" + FEATURE_SPEC + ".json";
    }

    String referenceProfile() {
      return dir + "/" + REFERENCE_PROFILE + ".json";
    }

    /** The training rows' {@link SeenRows}, as JSON. */
    String seenRows() {
      return dir + "/" + SEEN_ROWS + ".json";
    }

    String fits() {
      return dir + "/fits";
    }

    String temp() {
      return dir + "/_tmp";
    }
  }

  static Pipeline build(
      Pipeline pipeline, TrainOptions options, UseCase useCase, Task task, Locations out) {
    Lake lake = Lake.at(options.getLake(), useCase.name());
    PCollection<GenericRecord> records;
    Schema schema;
    if (options.getInput() != null) {
      schema = useCase.schema();
      ParseResult parsed =
          pipeline
              .apply("MatchInput", MatchInputFiles.of(options.getInput()))
              .apply("OpenFiles", FileIO.readMatches())
              .apply(
                  "ParseAndValidate", ParseAndValidate.files(useCase, options.getFormat(), NAME));
      parsed
          .deadLetters()
          .apply("WriteDeadLetters", WriteDeadLetters.toLake(lake, options.getRunId()));
      records = parsed.records().apply("KeepDateRange", inDateRange(useCase, options));
    } else {
      schema = useCase.lakeSchema();
      records =
          pipeline.apply(
              "ReadLake",
              ReadLake.of(lake, schema).between(date(options.getFrom()), date(options.getTo())));
      if (useCase.partitioning() != UseCase.Partitioning.DAY
          && (options.getFrom() != null || options.getTo() != null)) {
        records = records.apply("KeepDateRange", inDateRange(useCase, options));
      }
    }
    SplitTrainHoldout.Result split =
        records
            .apply("KeepLabelled", ParDo.of(new KeepLabelled(task, options.getInput() == null)))
            .setCoder(records.getCoder())
            .apply("SplitTrainHoldout", splitOf(options, useCase));
    // The training sets are read whole, so they are one partition: a file per date would cost
    // far more than the rows in it for daily data spread over years.
    EventDates dateOf = EventDates.of(useCase, UseCase.Partitioning.NONE);
    split
        .train()
        .apply(
            "ExportTrain",
            WritePartitionedParquet.to(out.train(), out.temp(), schema, "train", dateOf));
    split
        .holdout()
        .apply(
            "ExportHoldout",
            WritePartitionedParquet.to(out.holdout(), out.temp(), schema, "holdout", dateOf));
    split
        .train()
        .apply(
            "FitFeatureSpec",
            FitFeatureSpec.of(useCase, task).withDefaultMinCount(options.getMinCategoryCount()))
        .apply("SpecAsJson", MapElements.into(TypeDescriptors.strings()).via(FeatureSpec::toJson))
        .apply(
            "WriteSpec",
            TextIO.write()
                .to(out.dir() + "/" + FEATURE_SPEC)
                .withSuffix(".json")
                .withoutSharding());
    split
        .train()
        .apply("ProfileTrainingData", ProfileDataset.of(useCase))
        .apply(
            "ProfileAsJson",
            MapElements.into(TypeDescriptors.strings()).via(DatasetProfiles::toJson))
        .apply(
            "WriteProfile",
            TextIO.write()
                .to(out.dir() + "/" + REFERENCE_PROFILE)
                .withSuffix(".json")
                .withoutSharding());
    split
        .train()
        .apply("SeenRows", Combine.globally(SeenRows.combineFn(useCase)).withoutDefaults())
        .apply(
            "WriteSeenRows",
            TextIO.write().to(out.dir() + "/" + SEEN_ROWS).withSuffix(".json").withoutSharding());
    return pipeline;
  }

  /**
   * Keeps the records whose event date is within {@code --from}/{@code --to}; records out of range
   * are not training data of this run, nor dead letters: they are only counted.
   */
  private static Filter<GenericRecord> inDateRange(UseCase useCase, TrainOptions options) {
    return EventDateRange.keep(useCase, date(options.getFrom()), date(options.getTo()));
  }

  private static SplitTrainHoldout splitOf(TrainOptions options, UseCase useCase) {
    return switch (split(options, useCase)) {
      case time ->
          options.getHoldoutFrom() != null
              ? SplitTrainHoldout.fromDate(useCase, date(options.getHoldoutFrom()))
              : SplitTrainHoldout.byTime(useCase, options.getHoldoutFraction());
      case hash ->
          SplitTrainHoldout.byIdHash(useCase, options.getHoldoutFraction(), options.getSeed());
    };
  }

  /** The --split asked for, else time when the use case has an event time and hash when not. */
  static TrainOptions.Split split(TrainOptions options, UseCase useCase) {
    if (options.getSplit() != null) {
      return options.getSplit();
    }
    return useCase.eventTime().isPresent() ? TrainOptions.Split.time : TrainOptions.Split.hash;
  }

  static LocalDate date(String value) {
    return EventDateRange.date(value);
  }

  /** The counter of labelled rows of a multi-class task's class {@code index}. */
  static String classCounter(int index) {
    return "class_" + index;
  }

  /**
   * Drops records whose label is missing (they can be scored but not learned from), counting them,
   * and counts the positive class.
   */
  private static final class KeepLabelled extends DoFn<GenericRecord, GenericRecord> {
    private final Task task;
    private final boolean countRead;

    /**
     * {@code countRead}: lake records are counted here; parsed files were counted by the parser.
     */
    KeepLabelled(Task task, boolean countRead) {
      this.task = task;
      this.countRead = countRead;
    }

    @ProcessElement
    public void process(@Element GenericRecord record, OutputReceiver<GenericRecord> out) {
      if (countRead) {
        PipelineCounters.counter(PipelineCounters.READ).inc();
      }
      Double target = TrainingSet.target(record, task);
      if (target == null) {
        PipelineCounters.counter("labelMissing").inc();
        return;
      }
      PipelineCounters.counter("labelled").inc();
      if (task.type() == Task.Type.CLASSIFICATION && target > 0.5) {
        PipelineCounters.counter("positives").inc();
      }
      if (task.type() == Task.Type.MULTICLASS) {
        PipelineCounters.counter(classCounter(target.intValue())).inc();
      }
      out.output(record);
    }
  }
}
