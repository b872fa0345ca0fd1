package org.beammlops.pipelines.drift;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.pipelines.train.TrainOptions;
import org.beammlops.pipelines.train.TrainPipeline;
import org.beammlops.schemas.Alert;
import org.beammlops.schemas.Severity;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.lake.EventDateRange;
import org.beammlops.transforms.lake.Lake;

/**
 * {@code ./mlops drift --retrainOnDrift}: after a report with dataset drift, a training of the task
 * on a recent range, at most once per cool-down. The gate decides champion or challenger as for any
 * training, and a scoring job watching the registry hot-swaps a new champion. Each trigger is an
 * {@link Alert} with its reason: {@code RETRAIN} (INFO) with the gate's outcome, or {@code
 * RETRAIN_FAILED} (WARNING) with the error, in which case the champion stays, the cool-down is not
 * spent, and the next drift triggers again. The time of the last retraining is kept in the lake
 * ({@code <lake>/<uc>/drift/retrain-<task>.json}), so the cool-down holds across runs.
 */
final class RetrainOnDrift {
  static final String RETRAIN = "RETRAIN";
  static final String RETRAIN_FAILED = "RETRAIN_FAILED";
  private static final ObjectMapper JSON = new ObjectMapper();

  private RetrainOnDrift() {}

  /** What happened, for the command's report; the alerts to publish go to {@code alerts}. */
  static Map<String, Object> afterReport(
      DriftOptions options,
      UseCase useCase,
      Task task,
      Map<String, Object> report,
      Instant now,
      List<Alert> alerts) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (!"DRIFT".equals(report.get("verdict"))) {
      out.put("triggered", false);
      out.put("reason", "no dataset drift");
      return out;
    }
    Duration cooldown = cooldown(options.getRetrainCooldown());
    String stateFile = stateFile(options, useCase, task);
    Instant last = lastRetrain(stateFile);
    if (last != null && now.isBefore(last.plus(cooldown))) {
      out.put("triggered", false);
      out.put("reason", "cool-down: retrained at " + last + ", next after " + last.plus(cooldown));
      return out;
    }
    LocalDate to =
        options.getRetrainTo() != null
            ? EventDateRange.date(options.getRetrainTo())
            : options.getTo() != null
                ? EventDateRange.date(options.getTo())
                : now.atZone(ZoneOffset.UTC).toLocalDate();
    LocalDate from =
        options.getRetrainFrom() != null
            ? EventDateRange.date(options.getRetrainFrom())
            : to.minusDays(options.getRetrainDays() - 1L);
    String source =
        (options.getRetrainInput() != null ? options.getRetrainInput() : "the lake's events")
            + " "
            + from
            + ".."
            + to;
    String why =
        "dataset drift in "
            + report.get("driftedFeatures")
            + " of "
            + report.get("testedFeatures")
            + " features ("
            + String.join(", ", stringList(report.get("drifted")))
            + "); report "
            + report.get("report");
    out.put("triggered", true);
    out.put("reason", why);
    out.put("trainedOn", source);
    PipelineReports.progress("drift: retraining " + task.name() + " on " + source);
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("rule", "retrain-on-drift");
    attributes.put("task", task.name());
    attributes.put("trigger", why);
    attributes.put("trainedOn", source);
    attributes.put("report", String.valueOf(report.get("report")));
    Map<?, ?> model;
    try {
      model =
          (Map<?, ?>) TrainPipeline.trainOnce(trainOptions(options, task, from, to)).get("model");
    } catch (RuntimeException e) {
      String error = e.getMessage() == null ? e.toString() : e.getMessage();
      out.put("failed", true);
      out.put("error", error);
      attributes.put("state", "FAILED");
      attributes.put("error", error);
      alerts.add(
          alert(
              useCase,
              Severity.WARNING,
              RETRAIN_FAILED,
              "retraining "
                  + task.name()
                  + " on "
                  + source
                  + " after "
                  + why
                  + " failed: "
                  + error
                  + "; the champion stays, and the next drift triggers again",
              now,
              attributes));
      return out;
    }
    out.put("training", model);
    out.put("failed", false);
    attributes.put("state", "DONE");
    attributes.put("modelVersion", String.valueOf(model.get("version")));
    attributes.put("alias", String.valueOf(model.get("alias")));
    alerts.add(
        alert(
            useCase,
            Severity.INFO,
            RETRAIN,
            "retrained "
                + task.name()
                + " on "
                + source
                + " after "
                + why
                + ": v"
                + model.get("version")
                + " is "
                + model.get("alias")
                + " ("
                + model.get("reason")
                + ")",
            now,
            attributes));
    writeState(stateFile, now, String.valueOf(model.get("version")), why);
    return out;
  }

  /**
   * The training's options: this job's runner, lake and tracking server, the task and range, then
   * {@code --retrainArgs} (which may name another runner and its settings).
   */
  static TrainOptions trainOptions(DriftOptions options, Task task, LocalDate from, LocalDate to) {
    List<String> args = new ArrayList<>();
    args.add("--runner=" + options.getRunner().getSimpleName());
    args.add("--task=" + task.name());
    if (options.getUseCase() != null) {
      args.add("--useCase=" + options.getUseCase());
    }
    args.add("--lake=" + options.getLake());
    if (options.getTrackingUri() != null) {
      args.add("--trackingUri=" + options.getTrackingUri());
    }
    if (options.getTrackingCredentialsFile() != null) {
      args.add("--trackingCredentialsFile=" + options.getTrackingCredentialsFile());
    }
    args.add("--from=" + from);
    args.add("--to=" + to);
    if (options.getRetrainInput() != null) {
      args.add("--input=" + options.getRetrainInput());
    }
    if (!options.getRetrainArgs().isBlank()) {
      args.addAll(Arrays.asList(options.getRetrainArgs().trim().split("\\s+")));
    }
    // a later --name=value replaces an earlier one: --retrainArgs wins
    Map<String, String> byName = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      byName.put(eq < 0 ? arg : arg.substring(0, eq), arg);
    }
    PipelineOptionsFactory.register(TrainOptions.class);
    return PipelineOptionsFactory.fromArgs(byName.values().toArray(String[]::new))
        .withValidation()
        .as(TrainOptions.class);
  }

  private static Alert alert(
      UseCase useCase,
      Severity severity,
      String kind,
      String message,
      Instant now,
      Map<String, String> attributes) {
    return Alert.newBuilder()
        .setUseCase(useCase.name())
        .setSource(DriftPipeline.NAME)
        .setSeverity(severity)
        .setKind(kind)
        .setMessage(message)
        .setAt(now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
        .setAttributes(attributes)
        .build();
  }

  static Duration cooldown(String text) {
    try {
      Duration d = Duration.parse(text);
      if (d.isNegative()) {
        throw new IllegalArgumentException();
      }
      return d;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "--retrainCooldown=" + text + " is not an ISO-8601 duration such as PT24H");
    }
  }

  private static String stateFile(DriftOptions options, UseCase useCase, Task task) {
    return Lake.at(options.getLake(), useCase.name()).driftDir()
        + "/retrain-"
        + task.name()
        + ".json";
  }

  /** When the last retraining on drift ran, or null if none did (or its record is unreadable). */
  static Instant lastRetrain(String stateFile) {
    try {
      if (FileSystems.match(stateFile).metadata().isEmpty()) {
        return null;
      }
      try (var in =
          Channels.newInputStream(
              FileSystems.open(FileSystems.matchNewResource(stateFile, false)))) {
        JsonNode node = JSON.readTree(in);
        return Instant.parse(node.get("retrainedAt").asText());
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static void writeState(String stateFile, Instant at, String version, String why) {
    ObjectNode node = JSON.createObjectNode();
    node.put("retrainedAt", at.toString());
    node.put("modelVersion", version);
    node.put("trigger", why);
    try {
      DriftPipeline.ReportDriftFn.write(
          stateFile, node.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot record the retraining in " + stateFile, e);
    }
  }

  private static List<String> stringList(Object value) {
    List<String> out = new ArrayList<>();
    if (value instanceof List<?> list) {
      list.forEach(v -> out.add(String.valueOf(v)));
    }
    return out;
  }
}
