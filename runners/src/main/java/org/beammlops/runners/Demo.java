package org.beammlops.runners;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.beammlops.pipelines.common.Commands;
import org.beammlops.pipelines.common.OptionPresets;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.pipelines.ingest.IngestOptions;
import org.beammlops.pipelines.ingest.IngestPipeline;
import org.beammlops.pipelines.replay.ReplayOptions;
import org.beammlops.pipelines.replay.ReplayPipeline;
import org.beammlops.pipelines.score.ScoreSummary;
import org.beammlops.pipelines.score.ScoreSummaryOptions;
import org.beammlops.pipelines.train.TrainOptions;
import org.beammlops.pipelines.train.TrainPipeline;

/**
 * {@code ./mlops demo}: the core loop on the embedded default, from the bundled sample to a model
 * serving a replayed stream, then everything stopped (also on an error or Ctrl-C). The local stack
 * runs in its own JVMs ({@code ./mlops local up|down}), the score job in a JVM of its own that
 * stops itself once the stream is handled, the other steps in this JVM. People read the steps on
 * stderr; the last stdout line is one JSON object with each step's report.
 *
 * <p>Beside the score job, the feedback-metrics job (its own JVM too) joins the feedback to the
 * predictions and the terminal shows each ON_TIME window and alert as it reaches its topic, while
 * the monitor (part of the local stack) serves the dashboard. The replay plays three acts of four
 * June days each: clean, then with {@code --labelNoise} (default 0.3) so that the AUC alert fires,
 * then clean again so that it resolves. {@code --keep} leaves the stack and the dashboard up until
 * Ctrl-C.
 *
 * <p>{@code MLOPS_DEMO_RATE} (requests/s the replay sends, default 50: well below what the
 * DirectRunner scores on 2 cores, so the latency is the pipeline's, not a queue's), {@code
 * MLOPS_DEMO_LIMIT} (at most N records per act, default 0 = all of its days, about 2,200) and
 * {@code MLOPS_DEMO_NOISE} (the second act's share of wrong labels).
 */
public final class Demo {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> TASKS = List.of("delay15", "delay");

  private final Path root;
  private final Path home;
  private final Map<String, String> env;
  private final OptionPresets presets;
  private Process score;
  private Process metrics;
  private final boolean keep;

  Demo(Path root, Path home, Map<String, String> env, OptionPresets presets, boolean keep) {
    this.keep = keep;
    this.root = root;
    this.home = home;
    this.env = env;
    this.presets = presets;
  }

  /** Runs the demo from the checkout {@code $MLOPS_ROOT}; returns the exit code. */
  static int run(String[] args, Map<String, String> env, OptionPresets presets) {
    boolean keep = false;
    for (String arg :
        java.util.Arrays.asList(args).subList(Math.min(1, args.length), args.length)) {
      if (arg.equals("--keep")) {
        keep = true;
      } else {
        System.err.println("error: unknown demo option '" + arg + "' (the demo takes --keep)");
        return Commands.USAGE_ERROR;
      }
    }
    String root = env.get("MLOPS_ROOT");
    if (root == null || root.isBlank()) {
      System.err.println("error: the demo runs through ./mlops demo (MLOPS_ROOT is not set)");
      return Commands.USAGE_ERROR;
    }
    Path home = Path.of(env.getOrDefault("MLOPS_HOME", root + "/.mlops"));
    Demo demo = new Demo(Path.of(root), home, env, presets, keep);
    Thread stop = new Thread(demo::stopEverything, "demo-stop");
    Runtime.getRuntime().addShutdownHook(stop);
    try {
      PipelineReports.print(demo.runSteps());
      if (keep) {
        step("== --keep: the stack and the dashboard stay up until Ctrl-C");
        Thread.currentThread().join();
      }
      return 0;
    } catch (RuntimeException | IOException e) {
      System.err.println("error: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 130;
    } finally {
      demo.stopEverything();
      Runtime.getRuntime().removeShutdownHook(stop);
    }
  }

  private Map<String, Object> runSteps() throws IOException, InterruptedException {
    long started = System.nanoTime();
    Path lake = home.resolve("demo/lake");
    String rate = env.getOrDefault("MLOPS_DEMO_RATE", "50");
    long limit = Long.parseLong(env.getOrDefault("MLOPS_DEMO_LIMIT", "0"));
    String noise = env.getOrDefault("MLOPS_DEMO_NOISE", "0.3");
    Map<String, Object> report = new LinkedHashMap<>();

    step("== 1/7 local stack up (broker, tracking server, monitor)");
    runLocal("up");
    Map<String, String> stack = localEnv();
    String bootstrap = "--bootstrapServers=" + stack.get("MLOPS_KAFKA_BOOTSTRAP");
    String tracking = "--trackingUri=" + stack.get("MLFLOW_TRACKING_URI");

    step("== 2/7 ingest the bundled sample into " + lake);
    report.put(
        "ingest",
        IngestPipeline.run(
            parse(
                IngestOptions.class,
                "--input=" + root.resolve("data/flights-sample.parquet"),
                "--lake=" + lake,
                bootstrap)));
    step("ingest: " + json(report.get("ingest")));

    // Trained on January to May only: June is what the replay plays as live traffic.
    step("== 3/7 train and register both tasks on January to May of the lake (DirectRunner)");
    Map<String, Object> trains = new LinkedHashMap<>();
    for (String task : TASKS) {
      step("-- train " + task);
      trains.put(
          task,
          TrainPipeline.run(
              parse(
                  TrainOptions.class,
                  "--task=" + task,
                  "--lake=" + lake,
                  "--to=2001-05-31",
                  tracking,
                  bootstrap)));
    }
    report.put("train", trains);

    // Started before the replay and from the end of the topic, so that it scores exactly the
    // requests this demo sends, as they arrive; it stops by itself once everything sent since its
    // start is read and handled and its counters stood still for 20 s (its last prediction-log
    // files are committed by then), at the latest after 15 minutes.
    String runId =
        "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss"));
    Path scoreLog = home.resolve("demo/score-" + runId + ".log");
    Path scoreOut = home.resolve("demo/score-" + runId + ".json");
    step(
        "== 4/7 start scoring flights.requests with models:/flights-delay15@champion (run "
            + runId
            + "; log "
            + scoreLog
            + ")");
    score = startJob(scoreOut, scoreLog, scoreArgs(runId, lake, bootstrap, tracking));
    waitForLine(score, scoreLog, "running; ", 180);

    Path metricsLog = home.resolve("demo/metrics-" + runId + ".log");
    Path metricsOut = home.resolve("demo/metrics-" + runId + ".json");
    step(
        "== 5/7 start the live metrics of delay15: flights.predictions + flights.feedback joined"
            + " by request id, daily windows, alert rules (log "
            + metricsLog
            + ")");
    metrics = startJob(metricsOut, metricsLog, metricsArgs(runId, bootstrap, tracking));
    waitForLine(metrics, metricsLog, "running; ", 180);
    step("dashboard: " + stack.get("MLOPS_MONITOR_URL") + "/ (Prometheus: /metrics)");

    Map<String, Object> replays = new LinkedHashMap<>();
    try (DemoWatch watch =
        new DemoWatch(stack.get("MLOPS_KAFKA_BOOTSTRAP"), "flights.metrics", "flights.alerts")) {
      String[][] acts = {
        {"clean", "0[1-4]", "0"}, {"noisy", "0[5-8]", noise}, {"clean again", "{09,10,11,12}", "0"}
      };
      for (int i = 0; i < acts.length; i++) {
        String[] act = acts[i];
        step(
            "== 6/7 act "
                + (i + 1)
                + "/3 ("
                + act[0]
                + "): replay June "
                + act[1]
                + " at "
                + rate
                + " requests/s, feedback an hour of event time later, 1% malformed"
                + (act[2].equals("0") ? "" : ", " + act[2] + " of the labels wrong"));
        replays.put(
            act[0],
            ReplayPipeline.run(
                parse(
                    ReplayOptions.class,
                    "--input=" + lake + "/flights/events/date=2001-06-" + act[1] + "/*.parquet",
                    "--rate=" + rate,
                    "--limit=" + limit,
                    "--feedbackDelay=PT1H",
                    "--badRecords=0.01",
                    "--labelNoise=" + act[2],
                    bootstrap)));
        step("replay: " + json(replays.get(act[0])));
      }
      report.put("replay", replays);
      step(
          "== 7/7 wait until every request is scored and logged and the metrics job has gone"
              + " idle (both then stop by themselves), then summarize");
      report.put("score", awaitJob(score, scoreOut, scoreLog, "score"));
      score = null;
      step("score: " + report.get("score"));
      report.put("metrics", awaitJob(metrics, metricsOut, metricsLog, "metrics"));
      metrics = null;
      step("metrics: " + report.get("metrics"));
      report.put("windows", watch.windows());
      report.put("alerts", watch.alerts());
      step(windowSummary(watch.windows(), watch.alerts()));
    }
    step("-- summary of score run " + runId + ", read back from the lake");
    report.put(
        "summary",
        ScoreSummary.run(
            parse(ScoreSummaryOptions.class, "--lake=" + lake, "--scoreRunId=" + runId)));
    where(started, lake, runId, stack, trains);
    return report;
  }

  private void where(
      long started,
      Path lake,
      String runId,
      Map<String, String> stack,
      Map<String, Object> trains) {
    StringBuilder models = new StringBuilder();
    trains.values().forEach(t -> models.append("    ").append(registeredModel(t)).append('\n'));
    Path mlruns = home.resolve("tracking/mlruns");
    step(
        "demo done in "
            + Math.round((System.nanoTime() - started) / 1e9)
            + " s.\n"
            + "  Lake:      "
            + lake
            + " (prediction log of this run: flights/predictions/date=*/part-"
            + runId
            + "-*.parquet)\n"
            + "  Topics:    flights.requests, flights.feedback, flights.predictions, flights.dlq on "
            + stack.get("MLOPS_KAFKA_BOOTSTRAP")
            + "\n"
            + "  Dashboard: "
            + stack.get("MLOPS_MONITOR_URL")
            + "/ and Prometheus' /metrics there"
            + (keep ? " (up until Ctrl-C: --keep)" : " (./mlops demo --keep leaves it up)")
            + "\n"
            + "  Tracking:  "
            + stack.get("MLFLOW_TRACKING_URI")
            + " (stops with the stack; ./mlops local up tracking serves it again)\n"
            + "  Registered models:\n"
            + models
            + "  Runs, models and registry in MLflow's file-store layout: "
            + mlruns
            + "\n"
            + "  MLflow UI (where Python MLflow is installed):\n"
            + "    mlflow server --backend-store-uri "
            + mlruns
            + " --artifacts-destination "
            + mlruns
            + " --serve-artifacts\n"
            + "  Summary again: ./mlops score-summary --lake="
            + lake
            + " --scoreRunId="
            + runId);
  }

  /** "{@code <name> version <n>, alias <alias> (<why>)}" from a train report. */
  static String registeredModel(Object trainReport) {
    JsonNode model = JSON.valueToTree(trainReport).path("model");
    return model.path("registeredModel").asText()
        + " version "
        + model.path("version").asText()
        + ", alias "
        + model.path("alias").asText()
        + " ("
        + model.path("reason").asText()
        + ")";
  }

  private <O extends org.apache.beam.sdk.options.PipelineOptions> O parse(
      Class<O> options, String... args) {
    return Commands.parse(args, options, presets);
  }

  private List<String> scoreArgs(String runId, Path lake, String bootstrap, String tracking) {
    return List.of(
        "score",
        "--task=delay15",
        "--lake=" + lake,
        "--runId=" + runId,
        "--startAt=latest",
        "--commitIntervalSeconds=5",
        "--stopWhenIdleSeconds=20",
        "--runSeconds=900",
        bootstrap,
        tracking);
  }

  /**
   * The metrics job of this run: from the topics' ends, in a lake of its own (a restart resumes
   * after the windows its lake holds, and an earlier demo's June is not this one's), one window per
   * day; it stops once idle for 30 s. A day, not less: within a few hours the hour of day, the
   * model's strongest signal, hardly varies, and the clean June's 6-hour AUCs (0.55 to 0.70)
   * crossed the 0.6 rule as often as the noisy act's did.
   */
  private List<String> metricsArgs(String runId, String bootstrap, String tracking) {
    return List.of(
        "metrics",
        "--task=delay15",
        "--lake=" + home.resolve("demo/metrics-lake-" + runId),
        "--startAt=latest",
        "--window=P1D",
        "--period=P1D",
        "--commitIntervalSeconds=5",
        "--stopWhenIdleSeconds=30",
        "--runSeconds=900",
        bootstrap,
        tracking);
  }

  private Process startJob(Path out, Path log, List<String> args) throws IOException {
    Files.createDirectories(out.getParent());
    List<String> command = new ArrayList<>(List.of(root.resolve("mlops").toString()));
    command.addAll(args);
    return new ProcessBuilder(command)
        .redirectOutput(out.toFile())
        .redirectError(log.toFile())
        .start();
  }

  /** Waits for a job's exit and returns its report, the last line of its stdout. */
  private static JsonNode awaitJob(Process job, Path out, Path log, String name)
      throws IOException, InterruptedException {
    int code = job.waitFor();
    if (code != 0) {
      throw new IllegalStateException(
          "the " + name + " job failed (exit " + code + "); log: " + log + "\n" + tail(log));
    }
    return JSON.readTree(lastLine(out));
  }

  /** ON_TIME windows per version with their mean AUC, and the alerts, for the summary. */
  static String windowSummary(List<Map<String, Object>> windows, List<Map<String, Object>> alerts) {
    Map<String, double[]> byVersion = new java.util.TreeMap<>();
    for (Map<String, Object> w : windows) {
      double[] s = byVersion.computeIfAbsent((String) w.get("modelVersion"), v -> new double[3]);
      s[0]++;
      Object auc = ((Map<?, ?>) w.get("metrics")).get("roc_auc");
      if (auc != null) {
        s[1] += (Double) auc;
        s[2]++;
      }
    }
    StringBuilder text = new StringBuilder("-- live metrics: ");
    text.append(windows.size()).append(" ON_TIME windows");
    byVersion.forEach(
        (v, s) ->
            text.append(
                String.format(
                    java.util.Locale.ROOT,
                    "; %s: %d, mean AUC %.3f",
                    v.equals("all") ? "all versions" : "v" + v,
                    (long) s[0],
                    s[2] == 0 ? Double.NaN : s[1] / s[2])));
    text.append("\n-- alerts: ").append(alerts.isEmpty() ? "none" : "");
    alerts.forEach(
        a -> text.append("\n   ").append(a.get("state")).append(" ").append(a.get("message")));
    return text.toString();
  }

  /**
   * Waits until {@code file} has a line starting with {@code prefix}, while the score job lives.
   */
  private void waitForLine(Process job, Path file, String prefix, int seconds)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.stream().anyMatch(l -> l.startsWith(prefix))) {
          lines.stream()
              .filter(l -> l.startsWith("score: ") || l.startsWith("metrics: "))
              .forEach(Demo::step);
          return;
        }
      }
      if (!job.isAlive()) {
        break;
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("the job did not start; log: " + file + "\n" + tail(file));
  }

  private void runLocal(String verb) throws IOException, InterruptedException {
    Process local =
        new ProcessBuilder(root.resolve("mlops").toString(), "local", verb)
            .redirectErrorStream(true)
            .start();
    copyToStderr(local.getInputStream());
    int code = local.waitFor();
    if (code != 0) {
      throw new IllegalStateException("./mlops local " + verb + " failed (exit " + code + ")");
    }
  }

  /** The variables {@code ./mlops local up} wrote: how to reach the broker and tracking server. */
  private Map<String, String> localEnv() throws IOException {
    Map<String, String> vars = new LinkedHashMap<>();
    for (String line : Files.readAllLines(home.resolve("local.env"), StandardCharsets.UTF_8)) {
      int eq = line.indexOf('=');
      if (!line.startsWith("#") && eq > 0) {
        vars.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return vars;
  }

  /** Stops the score job if it still runs, then the local stack; safe to call twice. */
  private synchronized void stopEverything() {
    if (metrics != null && metrics.isAlive()) {
      step("== stopping the metrics job (pid " + metrics.pid() + ")");
      metrics.destroy();
      try {
        metrics.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    metrics = null;
    if (score != null && score.isAlive()) {
      step("== stopping the score job (pid " + score.pid() + ")");
      score.destroy();
      try {
        score.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    score = null;
    if (Files.exists(home.resolve("local.env"))) {
      step("== stopping the local stack");
      try {
        runLocal("down");
      } catch (IOException | RuntimeException e) {
        step("could not stop the local stack: " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void copyToStderr(InputStream in) throws IOException {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        System.err.println(line);
      }
    }
  }

  private static String lastLine(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    return lines.isEmpty() ? "{}" : lines.get(lines.size() - 1);
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  private static String json(Object value) {
    return JSON.valueToTree(value).toString();
  }

  static void step(String line) {
    PipelineReports.progress(line);
  }

  /** The final report as one JSON object, for the tests. */
  static ObjectNode asJson(Map<String, Object> report) {
    return JSON.valueToTree(report);
  }
}
