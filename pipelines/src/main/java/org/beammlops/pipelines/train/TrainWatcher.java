package org.beammlops.pipelines.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.common.ReflectHelpers;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.pipelines.ingest.IngestOptions;
import org.beammlops.pipelines.ingest.IngestPipeline;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.lake.Lake;
import org.beammlops.transforms.lake.ParquetFiles;

/**
 * {@code ./mlops train --watch=<path>}: retrains once per new batch.
 *
 * <ul>
 *   <li>When {@code <path>} is the lake, a batch is a set of new event files: once new files have
 *       appeared and the listing has stayed the same for one interval (the writer is done), the
 *       model is trained once.
 *   <li>Otherwise {@code <path>} is a folder of input batches (files or sub-folders): each new
 *       entry is ingested into the lake, then the model is trained once. The entries done are
 *       listed in {@code <path>/.mlops-trained}, so a restarted watcher does not train a batch
 *       twice.
 * </ul>
 */
final class TrainWatcher {
  static final String DONE_FILE = ".mlops-trained";

  private TrainWatcher() {}

  static Map<String, Object> run(TrainOptions options) {
    Path watched = Path.of(options.getWatchPath()).toAbsolutePath().normalize();
    boolean lake = watched.equals(Path.of(options.getLake()).toAbsolutePath().normalize());
    long interval = Math.max(1, options.getWatchIntervalSeconds()) * 1000L;
    String uc = UseCases.loadOrDefault(options.getUseCase()).name();
    List<Map<String, Object>> trainings = new ArrayList<>();
    Set<String> seen = lake ? lakeFiles(options, uc) : done(watched);
    Set<String> pending = new TreeSet<>();
    PipelineReports.progress(
        "train: watching " + watched + (lake ? " (lake events)" : " (input batches)"));
    while (options.getMaxTrainings() == 0 || trainings.size() < options.getMaxTrainings()) {
      Set<String> now = lake ? lakeFiles(options, uc) : entries(watched);
      Set<String> fresh = new TreeSet<>(now);
      fresh.removeAll(seen);
      if (!fresh.isEmpty() && fresh.equals(pending)) {
        // Unchanged for one interval: the batch is complete.
        seen.addAll(fresh);
        pending.clear();
        if (lake) {
          trainings.add(train(options, null, fresh.size() + " new event files"));
        } else {
          for (String entry : fresh) {
            trainings.add(train(options, watched.resolve(entry), entry));
            markDone(watched, entry);
          }
        }
        continue;
      }
      pending = fresh;
      sleep(interval);
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("trainings", trainings.size());
    report.put("runs", trainings);
    return report;
  }

  /** Ingests {@code batch} (when given) and trains once, on a copy of the options. */
  private static Map<String, Object> train(TrainOptions options, Path batch, String what) {
    PipelineOptions copy = copyOf(options);
    if (batch != null) {
      // Fresh ingest options: TrainOptions' --watch (a path) and IngestOptions' (a flag) clash.
      IngestOptions ingest = PipelineOptionsFactory.as(IngestOptions.class);
      ingest.setRunner(options.getRunner());
      ingest.setUseCase(UseCases.loadOrDefault(options.getUseCase()).name());
      ingest.setLake(options.getLake());
      ingest.setRunId(options.getRunId() + "-" + System.currentTimeMillis());
      ingest.setInput(Files.isDirectory(batch) ? batch + "/*" : batch.toString());
      PipelineReports.progress("train: new batch " + what + ", ingesting it");
      IngestPipeline.run(ingest);
    }
    TrainOptions train = copy.as(TrainOptions.class);
    train.setWatchPath(null);
    train.setInput(null);
    train.setRunId(options.getRunId() + "-" + System.currentTimeMillis());
    PipelineReports.progress("train: new batch " + what + ", training");
    Map<String, Object> report = new LinkedHashMap<>(TrainPipeline.trainOnce(train));
    report.put("batch", what);
    PipelineReports.print(report);
    return report;
  }

  /** An independent copy of {@code options} (Beam options round-trip through Jackson). */
  private static PipelineOptions copyOf(PipelineOptions options) {
    ObjectMapper mapper =
        new ObjectMapper()
            .registerModules(ObjectMapper.findModules(ReflectHelpers.findClassLoader()));
    try {
      return mapper.readValue(mapper.writeValueAsBytes(options), PipelineOptions.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the pipeline options", e);
    }
  }

  private static Set<String> lakeFiles(TrainOptions options, String uc) {
    Set<String> files = new TreeSet<>();
    ParquetFiles.match(Lake.at(options.getLake(), uc).eventsGlob())
        .forEach(m -> files.add(m.resourceId().toString() + "#" + m.sizeBytes()));
    return files;
  }

  private static Set<String> entries(Path dir) {
    Set<String> names = new TreeSet<>();
    if (!Files.isDirectory(dir)) {
      return names;
    }
    try (Stream<Path> list = Files.list(dir)) {
      list.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).forEach(names::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    return names;
  }

  private static Set<String> done(Path dir) {
    Path file = dir.resolve(DONE_FILE);
    Set<String> names = new TreeSet<>();
    try {
      if (Files.exists(file)) {
        names.addAll(Files.readAllLines(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    names.remove("");
    return names;
  }

  private static void markDone(Path dir, String entry) {
    try {
      Files.writeString(
          dir.resolve(DONE_FILE),
          entry + "\n",
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while watching", e);
    }
  }
}
