package org.beammlops.pipelines.drift;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.beammlops.pipelines.common.AlertOptions;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.schemas.Alert;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.drift.DatasetDrift;
import org.beammlops.transforms.inference.MlflowOnnxModelHandler;
import org.beammlops.transforms.lake.EventDateRange;
import org.beammlops.transforms.lake.Lake;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.beammlops.transforms.model.MlflowModel;
import org.beammlops.transforms.model.MlflowModelReader;
import org.beammlops.transforms.profile.DatasetProfiles;
import org.beammlops.transforms.serving.StartupModel;
import org.beammlops.transforms.tracking.TrackingSettings;

/**
 * {@code ./mlops drift} as a command: the launcher's work around {@link DriftPipeline}'s graph. It
 * checks the dates and that the report can be written, reads the reference (the model's reference
 * profile, which must be of this use case and of a format with sketches, or a range of the same
 * source), runs the job to the end, and reports the verdict with its counters.
 */
public final class DriftCommand {
  static final String[] COUNTERS = {
    PipelineCounters.DEAD_LETTER,
    EventDateRange.OUT_OF_RANGE,
    DriftPipeline.REPORTS,
    DriftPipeline.TRACKED,
    DriftPipeline.TRACKING_FAILED
  };

  private DriftCommand() {}

  public static Map<String, Object> run(DriftOptions options) {
    UseCase useCase = UseCases.loadOrDefault(options.getUseCase());
    Task task = useCase.task(options.getTask());
    LocalDate from = EventDateRange.date(options.getFrom());
    LocalDate to = EventDateRange.date(options.getTo());
    LocalDate referenceFrom = EventDateRange.date(options.getReferenceFrom());
    LocalDate referenceTo = EventDateRange.date(options.getReferenceTo());
    checkRange("--from/--to", from, to);
    checkRange("--referenceFrom/--referenceTo", referenceFrom, referenceTo);
    if (options.getRetrainOnDrift()) {
      RetrainOnDrift.cooldown(options.getRetrainCooldown()); // a bad one fails before the job
    }
    boolean referenceRange = referenceFrom != null || referenceTo != null;
    Lake lake = Lake.at(options.getLake(), useCase.name());
    String reportDir = lake.driftDir() + "/" + options.getRunId();
    String html = options.getReport() != null ? options.getReport() : reportDir + "/report.html";
    checkWritable(html);
    checkWritable(reportDir + "/report.json");
    TrackingSettings tracking = TrackingSettings.fromOptions(options);

    String current = describe(options, from, to);
    DatasetProfile referenceProfile = null;
    String reference;
    String modelName = null;
    String modelVersion = null;
    if (referenceRange) {
      reference =
          (options.getInput() != null ? "files " + options.getInput() : options.getSource())
              + " "
              + range(referenceFrom, referenceTo);
    } else {
      String uri =
          options.getModel() != null
              ? options.getModel()
              : "models:/" + useCase.modelName(task) + "@champion";
      StartupModel.Identity model = StartupModel.identify(tracking, uri, "--model");
      modelName = model.ref().name();
      modelVersion = model.ref().version();
      referenceProfile = referenceProfile(tracking, model, uri, useCase);
      reference = uri + " (" + model.ref().id() + "), its training data's profile";
    }
    String experiment =
        options.getExperiment() != null ? options.getExperiment() : useCase.modelName(task);
    DriftPipeline.Plan plan =
        new DriftPipeline.Plan(
            reportDir,
            html,
            referenceProfile,
            new DatasetDrift.Sides(reference, current, modelName, modelVersion),
            from,
            to,
            referenceFrom,
            referenceTo,
            experiment,
            AlertOptions.delivery(options));
    PipelineReports.progress("drift: " + current + " against " + reference);
    Map<String, Object> report = new LinkedHashMap<>();
    report.putAll(
        PipelineReports.runToCompletion(
            DriftPipeline.build(options, useCase, tracking, plan), COUNTERS));
    report.put("report", html);
    report.put("reportJson", reportDir + "/report.json");
    readVerdict(reportDir + "/report.json", report);
    if (options.getRetrainOnDrift()) {
      List<Alert> alerts = new java.util.ArrayList<>();
      report.put(
          "retrain",
          RetrainOnDrift.afterReport(options, useCase, task, report, Instant.now(), alerts));
      if (!alerts.isEmpty() && options.getPublishAlerts()) {
        PipelineReports.runToCompletion(
            DriftPipeline.sendAlerts(options, useCase, plan.alertDelivery(), alerts));
      }
    }
    return report;
  }

  /** Adds the verdict of the report the job wrote to what the command prints. */
  private static void readVerdict(String json, Map<String, Object> report) {
    try (var in =
        java.nio.channels.Channels.newInputStream(
            org.apache.beam.sdk.io.FileSystems.open(
                org.apache.beam.sdk.io.FileSystems.matchNewResource(json, false)))) {
      var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
      for (String field :
          List.of("verdict", "rowCount", "testedFeatures", "driftedFeatures", "driftShare")) {
        report.put(
            field,
            node.get(field).isNumber() ? node.get(field).numberValue() : node.get(field).asText());
      }
      List<String> drifted = new java.util.ArrayList<>();
      List<String> labels = new java.util.ArrayList<>();
      boolean[] predictionDrift = {false};
      node.get("features")
          .forEach(
              f -> {
                String role = f.get("role").asText();
                if (role.equals("prediction")) {
                  predictionDrift[0] = f.get("drifted").asBoolean();
                } else if (f.get("drifted").asBoolean()) {
                  (role.equals("label") ? labels : drifted).add(f.get("feature").asText());
                }
              });
      report.put("drifted", drifted);
      report.put("labelDrift", labels);
      report.put("predictionDrift", predictionDrift[0]);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("the job ran but its report " + json + " cannot be read", e);
    }
  }

  /** The model's reference profile: of this use case, with sketches; a clear error otherwise. */
  static DatasetProfile referenceProfile(
      TrackingSettings tracking, StartupModel.Identity model, String uri, UseCase useCase) {
    MlflowModel mlflow =
        MlflowModelReader.read(MlflowOnnxModelHandler.localDirectory(tracking, model.ref()));
    Path file =
        mlflow
            .extraFile(MlflowModel.REFERENCE_PROFILE)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "--model: "
                            + uri
                            + " ("
                            + model.ref().id()
                            + ") has no "
                            + MlflowModel.REFERENCE_PROFILE
                            + ": nothing to compare with; give a reference range"
                            + " (--referenceFrom/--referenceTo) or train the model again"));
    DatasetProfile profile;
    try {
      profile = DatasetProfiles.fromJson(Files.readString(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (!profile.getUseCase().equals(useCase.name())) {
      throw new IllegalArgumentException(
          "--model: "
              + uri
              + " was trained on use case '"
              + profile.getUseCase()
              + "', not '"
              + useCase.name()
              + "': its reference profile does not describe this data");
    }
    profile.getFeatures().stream()
        .filter(f -> f.getKind().equals("numeric") && f.getCount() > 0 && f.getSketch() == null)
        .findFirst()
        .ifPresent(
            f -> {
              throw new IllegalArgumentException(
                  "--model: "
                      + uri
                      + " has a reference profile of format 1, without the quantile sketches the"
                      + " drift tests read (feature '"
                      + f.getName()
                      + "'); train the model again, or give a reference range");
            });
    return profile;
  }

  private static String describe(DriftOptions o, LocalDate from, LocalDate to) {
    if (o.getInput() != null) {
      return "files " + o.getInput() + (from == null && to == null ? "" : " " + range(from, to));
    }
    return (o.getSource() == DriftOptions.Source.predictions
            ? "prediction log of " + o.getTask()
            : "lake events")
        + " "
        + range(from, to);
  }

  private static String range(LocalDate from, LocalDate to) {
    return (from == null ? "the start" : from.toString())
        + " to "
        + (to == null ? "the end" : to.toString());
  }

  private static void checkRange(String what, LocalDate from, LocalDate to) {
    if (from != null && to != null && from.isAfter(to)) {
      throw new IllegalArgumentException(what + ": " + from + " is after " + to);
    }
  }

  /** A local report path must be creatable now, not after the whole job has run. */
  static void checkWritable(String path) {
    if (path.contains("://")) {
      return; // a remote file system: its own errors, at write time
    }
    Path file = Path.of(path).toAbsolutePath();
    try {
      Files.createDirectories(file.getParent());
      Path probe = Files.createTempFile(file.getParent(), ".write-check", ".tmp");
      Files.delete(probe);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "the report cannot be written to " + file + ": " + e.getMessage());
    }
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException("the report path " + file + " is a directory");
    }
  }
}
