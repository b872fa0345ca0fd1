package org.beammlops.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.beammlops.pipelines.common.OptionPresets;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.pipelines.score.ScorePipeline;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.inference.LoadedModel;
import org.beammlops.transforms.inference.MlflowOnnxModelHandler;
import org.beammlops.transforms.inference.ModelOutput;
import org.beammlops.transforms.inference.ModelRef;
import org.beammlops.transforms.inference.WatchModelRegistry;
import org.beammlops.transforms.tracking.TrackingSettings;

/**
 * {@code ./mlops bench score}: the score pipeline on DirectRunner and FlinkRunner {@code [local]}
 * beside a hand-written Kafka → parse → vectorize → ONNX Runtime → Kafka loop ({@link
 * PlainJavaScore}), with the same model version, batch size, broker and requests.
 *
 * <p>Each contender is measured twice, each time on fresh topics, freshly started and warmed up (so
 * start-up is not in the figures): at saturation, for steady-state events per second (and the
 * latency that saturation costs), and at a fixed rate (5,000/s by default), for the latency a
 * client sees when the contender is not the bottleneck — or how far behind it falls when it is.
 */
final class ScoreBench {
  static final List<String> CONTENDERS = List.of("plain", "direct", "flink");

  private final ScoreBenchOptions options;
  private final List<String> pipelineArgs;
  private final OptionPresets presets;
  private final UseCase useCase;
  private final Task task;
  private final TrackingSettings tracking;
  private final String bootstrap;

  private ScoreBench(ScoreBenchOptions options, List<String> pipelineArgs, OptionPresets presets) {
    this.options = options;
    this.pipelineArgs = pipelineArgs;
    this.presets = presets;
    this.useCase = UseCases.loadOrDefault(options.getUseCase());
    this.task = useCase.task(options.getTask());
    this.tracking = TrackingSettings.fromOptions(options);
    this.bootstrap = options.getBootstrapServers();
  }

  /** Parses, checks everything it can before any work, runs; returns the exit code. */
  static int run(List<String> args, OptionPresets presets) throws IOException {
    List<String> all = new ArrayList<>(args);
    if (all.stream().noneMatch(a -> a.startsWith("--task"))) {
      all.add("--task=delay15");
    }
    if (all.stream().anyMatch(a -> a.startsWith("--runner=") || a.equals("--runner"))) {
      throw new IllegalArgumentException(
          "bench score picks the runners itself: use --runners=" + String.join(",", CONTENDERS));
    }
    PipelineOptionsFactory.register(ScoreBenchOptions.class);
    ScoreBenchOptions options =
        PipelineOptionsFactory.fromArgs(all.toArray(String[]::new))
            .withValidation()
            .as(ScoreBenchOptions.class);
    FileSystems.setDefaultPipelineOptions(options);
    List<String> runners = runners(options.getRunners());
    if (options.getMaxBatchSize() < 1 || options.getRequests() < 1 || options.getInFlight() < 1) {
      throw new IllegalArgumentException("--maxBatchSize, --requests and --inFlight must be > 0");
    }
    if (!Files.isRegularFile(Path.of(options.getInput()))) {
      throw new IllegalArgumentException(
          "--input="
              + options.getInput()
              + " is not a file: give a Parquet file of request rows (the default,"
              + " data/flights-sample.parquet, is found from the repository root)");
    }
    return new ScoreBench(options, all, presets).measure(runners);
  }

  static List<String> runners(String list) {
    List<String> out = new ArrayList<>();
    for (String name : list.split(",")) {
      String runner = name.trim().toLowerCase(java.util.Locale.ROOT);
      if (!CONTENDERS.contains(runner)) {
        throw new IllegalArgumentException(
            "unknown runner '" + name + "' in --runners; known: " + String.join(",", CONTENDERS));
      }
      if (!out.contains(runner)) {
        out.add(runner);
      }
    }
    return out;
  }

  private int measure(List<String> runners) throws IOException {
    BenchCommand.checkTrackingServer(tracking.trackingUri());
    BenchTopics.checkBroker(bootstrap);
    ModelRef model = resolveModel();
    RequestPayloads payloads =
        RequestPayloads.read(useCase, options.getInput(), RequestPayloads.MAX_ROWS);
    Path work = Files.createTempDirectory("mlops-bench-score-");
    PipelineReports.progress(
        String.format(
            "bench score: model %s, batches of at most %d, %d distinct request rows from %s,"
                + " broker %s, work dir %s",
            model.id(),
            options.getMaxBatchSize(),
            payloads.rows(),
            options.getInput(),
            bootstrap,
            work));
    Map<String, Map<String, Object>> throughput = new LinkedHashMap<>();
    Map<String, Map<String, Object>> fixedRate = new LinkedHashMap<>();
    boolean failed = false;
    try (LoadedModel<GenericRecord, ModelOutput> plainModel =
        loadIf(runners.contains("plain"), model)) {
      int round = 0;
      for (String runner : runners) {
        Contender.Starter starter =
            runner.equals("plain")
                ? topics ->
                    new PlainJavaScore(
                        useCase, task, plainModel, options.getMaxBatchSize(), bootstrap, topics)
                : topics ->
                    PipelineContender.start(
                        runner,
                        pipelineArgs,
                        presets,
                        useCase,
                        task,
                        tracking,
                        model,
                        work.resolve(runner + "-" + System.nanoTime()).toString(),
                        topics);
        String prefix = "bench-score-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        throughput.put(
            runner,
            phase(
                runner + " at saturation",
                starter,
                prefix + "-" + ++round,
                options.getRequests(),
                payloads,
                traffic ->
                    traffic.saturate(
                        options.getRequests(),
                        options.getInFlight(),
                        options.getMaxSeconds(),
                        options.getDrainSeconds())));
        if (throughput.get(runner).containsKey("error")) {
          failed = true;
          continue; // it would only fail again
        }
        if (options.getRate() > 0) {
          fixedRate.put(
              runner,
              phase(
                  runner + " at " + options.getRate() + "/s",
                  starter,
                  prefix + "-" + ++round,
                  (int)
                      Math.min(
                          Integer.MAX_VALUE - 8,
                          (long) options.getRate() * options.getRateSeconds()),
                  payloads,
                  traffic ->
                      traffic.atRate(
                          options.getRate(), options.getRateSeconds(), options.getDrainSeconds())));
        }
        failed |= fixedRate.getOrDefault(runner, Map.of()).containsKey("error");
      }
    } finally {
      deleteQuietly(work);
    }
    Map<String, Object> report = report(model, payloads, throughput, fixedRate);
    PipelineReports.progress(ScoreBenchTable.of(report));
    PipelineReports.print(report);
    return failed ? 1 : 0;
  }

  private interface Measurement {
    PhaseStats run(Traffic traffic);
  }

  /**
   * One measurement on fresh topics and a fresh contender: start, warm up, measure, stop. A
   * contender that fails is reported with its error and the bench goes on with the next one.
   */
  private Map<String, Object> phase(
      String name,
      Contender.Starter starter,
      String topicPrefix,
      int capacity,
      RequestPayloads payloads,
      Measurement measurement) {
    PipelineReports.progress("bench score: " + name + " ...");
    BenchTopics topics = BenchTopics.create(bootstrap, topicPrefix);
    long start = System.nanoTime();
    try (Traffic traffic = new Traffic(bootstrap, topics, payloads, capacity);
        Contender contender = starter.start(topics)) {
      traffic.warmUp(
          options.getWarmup(), Duration.ofSeconds(options.getStartupSeconds()), name, contender);
      double ready = (System.nanoTime() - start) / 1e9;
      PhaseStats stats = measurement.run(traffic);
      contender.check();
      Map<String, Object> out = stats.toMap();
      out.put("duplicates", traffic.duplicates());
      out.put("startupSeconds", PhaseStats.round1(ready));
      PipelineReports.progress(
          String.format(
              "bench score: %s: %d of %d predictions, %.0f events/s over %.1f s steady,"
                  + " latency p50 %s%.1f ms p99 %s%.1f ms (ready after %.1f s)",
              name,
              stats.received(),
              stats.sent(),
              stats.eventsPerSec(),
              stats.windowSeconds(),
              stats.complete() ? "" : ">=",
              stats.p50Millis(),
              stats.complete() ? "" : ">=",
              stats.p99Millis(),
              ready));
      return out;
    } catch (RuntimeException e) {
      PipelineReports.progress("bench score: " + name + " failed: " + e);
      if (System.getenv("MLOPS_DEBUG") != null) {
        e.printStackTrace();
      }
      return new LinkedHashMap<>(Map.of("error", String.valueOf(e.getMessage())));
    } finally {
      topics.delete(bootstrap);
    }
  }

  /**
   * The model every contender serves, pinned to one version for the whole bench (an alias that
   * moves halfway would compare two models).
   */
  private ModelRef resolveModel() {
    String uri = ScorePipeline.modelUri(options, useCase, task);
    try {
      return WatchModelRegistry.resolve(tracking, uri);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot serve "
              + uri
              + " ("
              + e.getMessage()
              + "); register one first: ./mlops train --task="
              + task.name()
              + " --input=data/flights-sample.parquet, or name another with --model",
          e);
    }
  }

  private LoadedModel<GenericRecord, ModelOutput> loadIf(boolean needed, ModelRef model) {
    return needed ? MlflowOnnxModelHandler.of(useCase.name(), tracking).load(model) : null;
  }

  private Map<String, Object> report(
      ModelRef model,
      RequestPayloads payloads,
      Map<String, Map<String, Object>> throughput,
      Map<String, Map<String, Object>> fixedRate) {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("model", model.id());
    report.put("maxBatchSize", options.getMaxBatchSize());
    report.put("input", options.getInput());
    report.put("requestRows", payloads.rows());
    report.put("cores", Runtime.getRuntime().availableProcessors());
    report.put("throughput", throughput);
    Map<String, Object> ratios = new LinkedHashMap<>();
    Object plain = throughput.getOrDefault("plain", Map.of()).get("eventsPerSec");
    if (plain instanceof Number p && p.doubleValue() > 0) {
      for (String runner : List.of("direct", "flink")) {
        Object rate = throughput.getOrDefault(runner, Map.of()).get("eventsPerSec");
        if (rate instanceof Number r) {
          ratios.put(
              runner + "OverPlain", Math.round(r.doubleValue() / p.doubleValue() * 1000) / 1000.0);
        }
      }
    }
    report.put("eventsPerSecRatio", ratios);
    if (options.getRate() > 0) {
      Map<String, Object> rate = new LinkedHashMap<>();
      rate.put("rate", options.getRate());
      rate.put("seconds", options.getRateSeconds());
      fixedRate.forEach(
          (runner, stats) -> {
            if (stats.get("eventsPerSec") instanceof Number achieved) {
              // Kept up: every prediction arrived, at (nearly) the offered rate.
              stats.put(
                  "keptUp",
                  Boolean.TRUE.equals(stats.get("complete"))
                      && achieved.doubleValue() >= 0.95 * options.getRate());
            }
            rate.put(runner, stats);
          });
      report.put("fixedRate", rate);
    }
    return report;
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      PipelineReports.progress("bench score: could not delete " + dir + ": " + e);
    }
  }
}
