package org.beammlops.pipelines.batch;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.beammlops.pipelines.batch.BatchPredictConfig.Source;
import org.beammlops.pipelines.batch.BatchPredictConfig.Target;
import org.beammlops.pipelines.common.NothingValid;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.inference.ModelRef;
import org.beammlops.transforms.serving.StartupModel;
import org.beammlops.transforms.tracking.TrackingSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./mlops batch-predict --config=job.yaml} as a command: the launcher's work around {@link
 * BatchPredictPipeline}'s graph. It reads the job file, checks the source, pins and loads the
 * model, makes sure the target holds no earlier run's files, runs the job to the end and reports
 * its counters.
 */
public final class BatchPredictCommand {
  private static final Logger LOG = LoggerFactory.getLogger(BatchPredictCommand.class);

  private BatchPredictCommand() {}

  /** Reads the job file, pins the model, runs to the end and returns the counters. */
  public static Map<String, Object> run(BatchPredictOptions options) {
    BatchPredictConfig job = BatchPredictConfig.load(Path.of(options.getConfig()));
    TrackingSettings tracking = tracking(options, job);
    if (!job.source().isKafka()) {
      checkSourceMatches(job.source().path());
    }
    // the model knows what it was trained for: useCase and task may be left out of the job
    StartupModel.Identity identity =
        StartupModel.identify(tracking, job.model().uri(), "model.uri");
    String where = options.getConfig() + ": ";
    UseCase useCase;
    Task task;
    try {
      useCase =
          UseCases.loadOrDefault(
              StartupModel.agree("useCase", job.useCase(), identity.useCase(), identity));
      String taskName = StartupModel.agree("task", job.task(), identity.task(), identity);
      if (taskName == null) {
        throw new IllegalArgumentException(
            "task: required, the model does not say which it was trained for");
      }
      task = useCase.task(taskName);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + e.getMessage(), e);
    }
    ModelRef model =
        StartupModel.resolveAndCheck(useCase.name(), tracking, job.model().uri(), "model.uri");
    if (!job.target().isKafka()) {
      prepareTargetDir(job.target());
    }
    PipelineReports.progress(
        "batch-predict: "
            + describe(job.source())
            + " -> "
            + describe(job.target())
            + " with "
            + model.id()
            + " ("
            + job.model().uri()
            + ")");
    Map<String, Object> report =
        PipelineReports.runToCompletion(
            BatchPredictPipeline.build(options, job, useCase, task, tracking, model),
            BatchPredictPipeline.COUNTERS);
    if (!job.target().isKafka()) {
      removeEmptyTempDirs(job.target());
    }
    String nothingValid =
        NothingValid.describe(
            describe(job.source()),
            report,
            Map.of(),
            job.target().isKafka()
                ? "the dead-letter topic of the job"
                : BatchPredictPipeline.deadLetterDir(job.target()));
    if (nothingValid != null) {
      PipelineReports.print(report);
      throw new IllegalStateException(nothingValid);
    }
    return report;
  }

  /** The options' tracking settings; the job file's {@code model.trackingUri} names the server. */
  static TrackingSettings tracking(BatchPredictOptions options, BatchPredictConfig job) {
    TrackingSettings tracking = TrackingSettings.fromOptions(options);
    return job.model().trackingUri() != null
        ? tracking.withTrackingUri(job.model().trackingUri())
        : tracking;
  }

  /** A clear error, before any work, when the source matches no file. */
  private static void checkSourceMatches(String pattern) {
    if (match(pattern).isEmpty()) {
      throw new IllegalArgumentException("source.path: no file matches " + pattern);
    }
  }

  /**
   * Refuses to mix this run's files with an earlier run's (a reader counting predictions would
   * count both) unless {@code target.overwrite} says to delete the earlier ones. Only files this
   * command writes are looked at or deleted.
   */
  private static void prepareTargetDir(Target target) {
    List<ResourceId> earlier = new ArrayList<>();
    for (String pattern :
        List.of(
            target.path() + "/" + WritePredictionFiles.PREFIX + "-*",
            BatchPredictPipeline.deadLetterDir(target)
                + "/"
                + WriteDeadLetterLines.PREFIX
                + "-*")) {
      match(pattern).forEach(m -> earlier.add(m.resourceId()));
    }
    if (earlier.isEmpty()) {
      return;
    }
    if (!target.overwrite()) {
      throw new IllegalArgumentException(
          "target.path: "
              + target.path()
              + " already holds "
              + earlier.size()
              + " file(s) of an earlier run; choose another path or set target.overwrite: true");
    }
    try {
      FileSystems.delete(earlier);
    } catch (IOException e) {
      throw new IllegalStateException("cannot delete the earlier run's files: " + e, e);
    }
  }

  /**
   * Beam's file writes leave their emptied {@code .temp-beam} directory behind on a local disk;
   * removing it leaves the target holding only results. Object stores have no directories.
   */
  private static void removeEmptyTempDirs(Target target) {
    for (String dir : List.of(target.path(), BatchPredictPipeline.deadLetterDir(target))) {
      if (dir.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
        continue;
      }
      try (Stream<Path> children = Files.list(Path.of(dir))) {
        for (Path child : children.toList()) {
          if (Files.isDirectory(child) && child.getFileName().toString().startsWith(".temp-beam")) {
            Files.deleteIfExists(child);
          }
        }
      } catch (NoSuchFileException | DirectoryNotEmptyException e) {
        // nothing written there, or a temporary file Beam kept: leave it
      } catch (IOException e) {
        LOG.warn("cannot remove Beam's temporary directory under {}: {}", dir, e.toString());
      }
    }
  }

  private static List<MatchResult.Metadata> match(String pattern) {
    try {
      MatchResult result = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
      return result.status() == MatchResult.Status.OK ? result.metadata() : List.of();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot list " + pattern + ": " + e.getMessage(), e);
    }
  }

  private static String describe(Source s) {
    return s.isKafka() ? "topic " + s.topic() : s.path() + " (" + s.format() + ")";
  }

  private static String describe(Target t) {
    return t.isKafka() ? "topic " + t.topic() : t.path() + " (" + t.format() + ")";
  }
}
