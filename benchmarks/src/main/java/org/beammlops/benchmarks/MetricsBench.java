package org.beammlops.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.beammlops.pipelines.common.Commands;
import org.beammlops.pipelines.common.OptionPresets;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.pipelines.metrics.FeedbackMetricsCommand;
import org.beammlops.pipelines.metrics.FeedbackMetricsOptions;
import org.beammlops.schemas.Prediction;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.feedback.FeedbackMessages;
import org.beammlops.transforms.feedback.LiveMetricsAccumulator;
import org.beammlops.transforms.feedback.Outcome;
import org.beammlops.transforms.feedback.PredictionMessages;
import org.beammlops.transforms.feedback.Truth;
import org.beammlops.transforms.serving.PredictionJson;

/**
 * {@code ./mlops bench metrics}: joined pairs per second of the feedback-metrics pipeline on the
 * DirectRunner and FlinkRunner {@code [local]}, beside a plain Java baseline over the same messages
 * in the same run: read both topics, hash-join feedback to predictions by request id, add each pair
 * to its sliding windows (per version and all) with the same accumulators, compute every window's
 * metrics. The data is synthetic and seeded (a delay15-like binary task, two model versions
 * overlapping in the middle, one request every 3 s of event time, truth for each), written to fresh
 * one-partition topics that are deleted afterwards.
 */
final class MetricsBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2001-06-01T00:00:00Z");
  private static final long STEP_MILLIS = 3_000;
  private static final long WINDOW = 3_600_000;
  private static final long PERIOD = 600_000;

  private MetricsBench() {}

  static int run(List<String> args, OptionPresets presets) throws Exception {
    int requests = 100_000;
    String runners = "plain,direct,flink";
    List<String> rest = new ArrayList<>();
    for (String arg : args) {
      if (arg.startsWith("--requests=")) {
        requests = Integer.parseInt(arg.substring("--requests=".length()));
      } else if (arg.startsWith("--runners=")) {
        runners = arg.substring("--runners=".length());
      } else {
        rest.add(arg);
      }
    }
    if (requests < 1) {
      throw new IllegalArgumentException("--requests must be at least 1");
    }
    FeedbackMetricsOptions base =
        PipelineOptionsFactory.fromArgs(rest.toArray(String[]::new))
            .as(FeedbackMetricsOptions.class);
    String bootstrap = base.getBootstrapServers();
    BenchTopics.checkBroker(bootstrap);
    UseCase useCase = UseCases.loadOrDefault(base.getUseCase());
    Task task = useCase.task(base.getTask() == null ? "delay15" : base.getTask());
    if (task.type() != Task.Type.CLASSIFICATION) {
      throw new IllegalArgumentException("bench metrics generates a binary task's data");
    }
    String prefix = "bench.metrics." + System.currentTimeMillis();
    List<String> topics =
        List.of(prefix + ".predictions", prefix + ".feedback", prefix + ".metrics");
    BenchTopics.create(bootstrap, topics);
    try {
      PipelineReports.progress(
          "bench: publishing " + requests + " requests' predictions and truth");
      long[] published = publish(bootstrap, useCase, task, topics.get(0), topics.get(1), requests);
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("requests", requests);
      report.put("predictionMessages", published[0]);
      report.put("feedbackMessages", published[1]);
      Map<String, Object> contenders = new LinkedHashMap<>();
      if (runners.contains("plain")) {
        PipelineReports.progress("bench: plain Java read + hash join + sliding windows ...");
        long t0 = System.nanoTime();
        long[] plain = plainJava(bootstrap, useCase, task, topics.get(0), topics.get(1));
        contenders.put("plainJava", row(plain[0], plain[1], (System.nanoTime() - t0) / 1e9));
      }
      for (String runner : List.of("direct", "flink")) {
        if (!runners.contains(runner)) {
          continue;
        }
        List<String> runArgs = new ArrayList<>(rest);
        runArgs.addAll(
            List.of(
                "--task=" + task.name(),
                "--predictionsTopic=" + topics.get(0),
                "--feedbackTopic=" + topics.get(1),
                "--metricsTopic=" + topics.get(2),
                "--consumerGroup=" + prefix + "." + runner,
                "--maxPredictions=" + published[0],
                "--maxFeedback=" + published[1],
                "--trackMetrics=false",
                "--checkModelVersions=false", // synthetic traffic of no registered model
                "--lake=" + Files.createTempDirectory("mlops-bench-metrics-"),
                "--runner=" + (runner.equals("direct") ? "DirectRunner" : "FlinkRunner")));
        PipelineReports.progress("bench: metrics on " + runner + " " + String.join(" ", runArgs));
        FeedbackMetricsOptions options =
            Commands.parse(runArgs.toArray(String[]::new), FeedbackMetricsOptions.class, presets);
        long t0 = System.nanoTime();
        Map<String, Object> counters = FeedbackMetricsCommand.run(options);
        double seconds = (System.nanoTime() - t0) / 1e9;
        contenders.put(
            runner + "Runner",
            row(
                ((Number) counters.getOrDefault("matched", 0L)).longValue(),
                ((Number) counters.getOrDefault("metricWindows", 0L)).longValue(),
                seconds));
      }
      report.put("contenders", contenders);
      PipelineReports.progress(table(contenders));
      PipelineReports.print(report);
      return 0;
    } finally {
      BenchTopics.delete(bootstrap, topics);
    }
  }

  private static Map<String, Object> row(long pairs, long windows, double seconds) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("pairs", pairs);
    row.put("windows", windows);
    row.put("seconds", Math.round(seconds * 100) / 100.0);
    row.put("pairsPerSecond", Math.round(pairs / seconds));
    return row;
  }

  static String table(Map<String, Object> contenders) {
    return ContenderTable.render(
        contenders, "plainJava", List.of("pairs", "windows"), "pairsPerSecond", "pairs/s");
  }

  /** Predictions (v1 for the first 60%, v2 from 40%) and one truth per request, seeded. */
  private static long[] publish(
      String bootstrap, UseCase useCase, Task task, String predictions, String feedback, int n)
      throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("linger.ms", "20");
    props.put("batch.size", "262144");
    SplittableRandom random = new SplittableRandom(42);
    String model = useCase.modelName(task);
    long sentPredictions = 0;
    List<byte[]> truths = new ArrayList<>(n);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < n; i++) {
        Instant at = T0.plusMillis(i * STEP_MILLIS);
        String id = "bench-" + i;
        double risk = random.nextDouble();
        boolean positive = random.nextDouble() < risk;
        for (String version : versions(i, n)) {
          double p =
              Math.min(
                  1,
                  Math.max(0, risk + (version.equals("1") ? 0.1 : -0.05) * random.nextGaussian()));
          Prediction prediction =
              Prediction.newBuilder()
                  .setRequestId(id)
                  .setUseCase(useCase.name())
                  .setTask(task.name())
                  .setEventTime(at)
                  .setScoredAt(at.plusMillis(5))
                  .setModelName(model)
                  .setModelVersion(version)
                  .setPrediction(p)
                  .setPredictedClass(task.outputClasses().get(p >= 0.5 ? 1 : 0))
                  .setClassProbabilities(Map.of())
                  .setLatencyMillis(1.0)
                  .setFeatures(Map.of())
                  .build();
          producer.send(new ProducerRecord<>(predictions, PredictionJson.json(prediction)));
          sentPredictions++;
        }
        ObjectNode truth = JSON.createObjectNode();
        truth.put("requestId", id);
        truth.put("useCase", useCase.name());
        truth.put("eventTime", at.toString());
        truth.put("observedAt", at.plusSeconds(3600).toString());
        truth.putObject("labels").put(task.name(), positive ? 1 : 0);
        truths.add(truth.toString().getBytes(StandardCharsets.UTF_8));
      }
      for (byte[] t : truths) {
        producer.send(new ProducerRecord<>(feedback, t));
      }
      producer.flush();
    }
    return new long[] {sentPredictions, truths.size()};
  }

  private static List<String> versions(int i, int n) {
    if (i < n * 2 / 5) {
      return List.of("1");
    }
    return i < n * 3 / 5 ? List.of("1", "2") : List.of("2");
  }

  /** The baseline: returns {pairs, windows}. */
  static long[] plainJava(
      String bootstrap, UseCase useCase, Task task, String predictionsTopic, String feedbackTopic)
      throws Exception {
    PredictionMessages predictions = PredictionMessages.of(useCase, task);
    FeedbackMessages feedback = FeedbackMessages.of(useCase, task);
    Map<String, Double> truth = new HashMap<>();
    for (byte[] message : readAll(bootstrap, feedbackTopic)) {
      Truth t = feedback.read(message);
      truth.putIfAbsent(t.requestId(), t.target());
    }
    Map<String, LiveMetricsAccumulator> windows = new HashMap<>();
    long pairs = 0;
    for (byte[] message : readAll(bootstrap, predictionsTopic)) {
      Prediction p = predictions.decode(message);
      Outcome o = predictions.outcome(p);
      Double target = truth.get(o.requestId());
      if (target != null) {
        o = o.withTarget(target);
        pairs++;
      }
      long t = o.eventTime();
      for (long start = Math.floorDiv(t, PERIOD) * PERIOD; start > t - WINDOW; start -= PERIOD) {
        for (String version : List.of(o.modelVersion(), "all")) {
          windows
              .computeIfAbsent(version + "@" + start, k -> new LiveMetricsAccumulator(task))
              .add(o);
        }
      }
    }
    for (LiveMetricsAccumulator w : windows.values()) {
      w.result(); // every window's metrics, as the pipeline computes them
    }
    return new long[] {pairs, windows.size()};
  }

  private static List<byte[]> readAll(String bootstrap, String topic) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("enable.auto.commit", "false");
    props.put("max.poll.records", "5000");
    List<byte[]> values = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      while (consumer.position(partition) < end) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(java.time.Duration.ofMillis(500))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }
}
