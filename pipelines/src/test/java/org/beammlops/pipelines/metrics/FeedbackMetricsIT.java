package org.beammlops.pipelines.metrics;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.beammlops.pipelines.replay.ReplayOptions;
import org.beammlops.pipelines.replay.ReplayPipeline;
import org.beammlops.pipelines.testing.EmbeddedKafka;
import org.beammlops.pipelines.testing.FlightsTestData;
import org.beammlops.schemas.MetricWindow;
import org.beammlops.schemas.Prediction;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.evaluate.ClassificationMetrics;
import org.beammlops.transforms.evaluate.RegressionMetrics;
import org.beammlops.transforms.feedback.LabelledRecords;
import org.beammlops.transforms.feedback.LogMetricWindows;
import org.beammlops.transforms.feedback.MetricWindowJson;
import org.beammlops.transforms.feedback.WindowedMetrics;
import org.beammlops.transforms.lake.ParquetFiles;
import org.beammlops.transforms.serving.PredictionJson;
import org.beammlops.transforms.tracking.LocalTrackingServer;
import org.beammlops.transforms.tracking.MetricPoint;
import org.beammlops.transforms.tracking.TrackedRun;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingConfig;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * The feedback-metrics pipeline on a replay of June against a real broker and the real tracking
 * server, on the DirectRunner and Flink [local]: every ON_TIME window of both tasks equals the
 * metrics computed offline (plain Java over the prediction messages hash-joined to the feedback,
 * same window bounds) to 1e-9; the counts add up (matched + unmatched = predictions, orphans and
 * dead letters counted); the windows reach the metrics topic, the lake and a monitoring run per
 * model version.
 *
 * <p>The predictions are made by a fixed formula rather than the score pipeline (tested on its
 * own), so that both tasks and a version switch mid-June are measured with exactly known inputs.
 */
@RunWith(Parameterized.class)
public class FeedbackMetricsIT {
  static final int JUNE = 1500;
  static final int LOST = 20;
  static final long PERIOD = Duration.ofMinutes(10).toMillis();
  static final long WINDOW = Duration.ofHours(1).toMillis();
  static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  static final Instant VERSION_2_FROM = Instant.parse("2001-06-02T12:00:00Z");

  @ClassRule public static final EmbeddedKafka KAFKA = new EmbeddedKafka();
  @ClassRule public static final TemporaryFolder TEMP = new TemporaryFolder();
  private static LocalTrackingServer server;
  private static int predictionMessages;
  private static int feedbackMessages;

  /** The predictions the test published, by task: id -> prediction. */
  private static final Map<String, List<Prediction>> PUBLISHED = new HashMap<>();

  @Parameterized.Parameters(name = "{0}")
  public static Collection<Object[]> runners() {
    return Arrays.asList(
        new Object[] {"direct", new String[] {"--runner=DirectRunner"}},
        new Object[] {
          "flink",
          new String[] {
            "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2", "--streaming=true"
          }
        });
  }

  private final String name;
  private final String[] runner;

  public FeedbackMetricsIT(String name, String[] runner) {
    this.name = name;
    this.runner = runner;
  }

  @BeforeClass
  public static void replayJuneAndPredict() throws Exception {
    // One partition each: a count-limited read splits its count evenly over partitions.
    KAFKA.createTopics(
        1, "flights.requests", "flights.feedback", "flights.predictions", "flights.dlq");
    server = LocalTrackingServer.start(TEMP.newFolder("mlruns").toPath());
    registerVersionsOneAndTwo();
    List<FlightsTestData.Flight> june =
        FlightsTestData.firstRows(100_000).stream()
            .filter(f -> f.date().startsWith("2001-06"))
            .sorted(Comparator.comparing(FlightsTestData.Flight::date))
            .limit(JUNE)
            .toList();
    List<byte[]> lines = new ArrayList<>();
    for (int i = 0; i < june.size(); i++) {
      lines.add(FlightsTestData.utf8(june.get(i).json().replace("{", "{\"id\":\"j-" + i + "\",")));
    }
    Path input = FlightsTestData.writeLines(TEMP.newFile("june.jsonl").toPath(), lines);
    ReplayPipeline.run(
        PipelineOptionsFactory.fromArgs(
                "--runner=DirectRunner",
                "--input=" + input,
                "--bootstrapServers=" + KAFKA.bootstrapServers(),
                "--feedbackDelay=PT1H")
            .as(ReplayOptions.class));
    feedbackMessages = KAFKA.readAll("flights.feedback", JUNE, Duration.ofSeconds(60)).size();
    assertEquals(JUNE, feedbackMessages);

    try (KafkaProducer<String, byte[]> producer = producer()) {
      for (int i = 0; i < june.size(); i++) {
        Instant t = LocalDateTime.parse(june.get(i).date()).toInstant(ZoneOffset.UTC);
        publish(producer, "j-" + i, t, june.get(i));
      }
      // predictions whose truth never comes: unmatched, lowering label coverage
      for (int i = 0; i < LOST; i++) {
        Instant t = Instant.parse("2001-06-01T12:00:00Z").plusSeconds(97L * i);
        publish(
            producer,
            "lost-" + i,
            t,
            new FlightsTestData.Flight("", 0, 500 + 10 * i, "SFO", "LAX"));
      }
      // prediction messages that cannot be read or do not fit the task, and well-formed ones of
      // a version the registry never had (one per task)
      Instant noon = Instant.parse("2001-06-01T12:00:00Z");
      for (byte[] bad :
          List.of(
              FlightsTestData.utf8("not a prediction"),
              FlightsTestData.utf8("{\"requestId\":\"b-1\"}"),
              PredictionJson.json(
                  prediction("delay15", "b-2", noon, 0.5).setPredictedClass("maybe").build()),
              PredictionJson.json(
                  prediction("delay15", "b-3", noon, 0.5).setModelVersion("9").build()),
              PredictionJson.json(
                  prediction("delay", "b-4", noon, 9).setModelVersion("9").build()))) {
        producer.send(new ProducerRecord<>("flights.predictions", "bad", bad));
        predictionMessages++;
      }
      // feedback that is not JSON, of the wrong type, never predicted, and a duplicate
      for (String bad :
          List.of(
              "{{not json",
              feedback("j-1", "2001-06-01T00:00:00", "\"late\"", "\"x\""),
              feedback("never-1", "2001-06-02T10:00:00", "1", "30"),
              feedback("j-0", june.get(0).date(), "1", "-5"))) {
        producer.send(new ProducerRecord<>("flights.feedback", "bad", FlightsTestData.utf8(bad)));
        feedbackMessages++;
      }
      producer.flush();
    }
  }

  /** Versions 1 and 2 of both tasks' models, as training would have registered them. */
  private static void registerVersionsOneAndTwo() {
    try (TrackingClient client =
        TrackingClient.create(TrackingConfig.builder().trackingUri(server.url()).build())) {
      for (String model : List.of("flights-delay15", "flights-delay")) {
        String experiment = client.getOrCreateExperiment(model);
        client.ensureRegisteredModel(model);
        for (int v = 1; v <= 2; v++) {
          try (org.beammlops.transforms.tracking.RunHandle run =
              client.startRun(experiment, "train-" + v, Map.of())) {
            client.createModelVersion(
                model, "runs:/" + run.runId() + "/model", run.runId(), Map.of());
          }
        }
      }
    }
  }

  private static String feedback(String id, String date, String delay15, String delay) {
    return "{\"requestId\":\""
        + id
        + "\",\"useCase\":\"flights\",\"eventTime\":\""
        + date
        + "\",\"observedAt\":\""
        + date
        + "\",\"labels\":{\"delay15\":"
        + delay15
        + ",\"delay\":"
        + delay
        + "}}";
  }

  private static Prediction.Builder prediction(String task, String id, Instant t, double value) {
    String version = t.isBefore(VERSION_2_FROM) ? "1" : "2";
    Prediction.Builder p =
        Prediction.newBuilder()
            .setRequestId(id)
            .setUseCase("flights")
            .setTask(task)
            .setEventTime(t)
            .setScoredAt(t)
            .setModelName("flights-" + task)
            .setModelVersion(version)
            .setPrediction(value)
            .setLatencyMillis(1);
    if (task.equals("delay15")) {
      p.setPredictedClass(value > 0.5 ? "1" : "0")
          .setClassProbabilities(Map.of("0", 1 - value, "1", value));
    }
    return p;
  }

  /** Both tasks' predictions of one request, by a fixed formula of distance and hour. */
  private static void publish(
      KafkaProducer<String, byte[]> producer, String id, Instant t, FlightsTestData.Flight flight) {
    long distance = flight.distance();
    Map<String, Object> features =
        Map.of(
            "distance",
            (double) distance,
            "origin",
            flight.origin(),
            "destination",
            flight.destination());
    double hour = t.atZone(ZoneOffset.UTC).getHour();
    double probability = 1 / (1 + Math.exp(-((distance - 700) / 400.0 + (hour - 14) / 5.0)));
    double delay = distance / 60.0 + hour - 12;
    for (Prediction p :
        List.of(
            prediction("delay15", id, t, probability).setFeatures(features).build(),
            prediction("delay", id, t, delay).setFeatures(features).build())) {
      PUBLISHED.computeIfAbsent(p.getTask(), k -> new ArrayList<>()).add(p);
      producer.send(new ProducerRecord<>("flights.predictions", id, PredictionJson.json(p)));
      predictionMessages++;
    }
  }

  private static KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  @AfterClass
  public static void stop() throws Exception {
    server.close();
  }

  @Test
  public void everyOnTimeWindowEqualsTheOfflineMetricsAndTheCountsAddUp() throws Exception {
    for (String task : List.of("delay15", "delay")) {
      String metricsTopic = "flights.metrics." + name + "." + task;
      KAFKA.createTopics(1, metricsTopic);
      Path lake = TEMP.newFolder("lake-" + name + "-" + task).toPath();
      Map<String, Object> report =
          runMetrics(
              task,
              lake,
              "metrics-" + name + "-" + task,
              metricsTopic,
              predictionMessages,
              feedbackMessages);
      System.err.println("metrics[" + name + "/" + task + "]: " + report);

      List<Prediction> published = PUBLISHED.get(task);
      long predictions = published.size();
      assertEquals(predictions, report.get("predictions"));
      assertEquals(
          predictions, (long) report.get("matched") + (long) report.get("unmatchedPredictions"));
      long labelled = labels(task).size();
      assertEquals(labelled, report.get("matched")); // every labelled replayed request
      assertEquals(1L, report.get("orphanFeedback"));
      assertEquals(1L, report.get("duplicateFeedback"));
      assertEquals(0L, report.get("droppedLate"));
      // unreadable predictions (2, the one of an unregistered version, and for delay15 the one of
      // an unknown class), unreadable or wrongly typed feedback (2) and the replayed rows without
      // a label
      assertEquals(
          (task.equals("delay15") ? 4L : 3L) + 2 + (JUNE - labelled), report.get("deadLetter"));
      assertEquals(0L, report.get("unverifiedModelVersions"));

      Map<String, MetricWindow> live = new TreeMap<>();
      Map<String, MetricWindow> estimated = new TreeMap<>();
      long drift = 0;
      long emitted = (long) report.get("metricWindows");
      for (ConsumerRecord<String, byte[]> m :
          KAFKA.readAll(metricsTopic, (int) emitted, Duration.ofSeconds(60))) {
        MetricWindow w = MetricWindowJson.read(m.value());
        if (w.getKind().equals(WindowedMetrics.ESTIMATED)) {
          estimated.put(w.getModelVersion() + "@" + w.getWindowStart() + "/" + w.getTiming(), w);
          continue;
        }
        if (w.getKind().equals(WindowedMetrics.DRIFT)) {
          drift++;
          continue;
        }
        if (w.getTiming().equals("ON_TIME")) {
          String key = w.getModelVersion() + "@" + w.getWindowStart();
          MetricWindow before = live.put(key, w);
          assertNull("one ON_TIME pane per window: " + key + ": " + before + " and " + w, before);
        }
      }
      Map<String, Offline> offline = offline(task, published, labels(task));
      assertEquals(offline.keySet(), live.keySet());
      for (Map.Entry<String, Offline> e : offline.entrySet()) {
        e.getValue().assertEquals(e.getKey(), live.get(e.getKey()));
      }
      checkEstimates(task, live, estimated, published);
      // the registered versions here are bare registrations without model files: no reference
      // profile, so no window is tested for drift, and each is counted
      assertEquals(0, drift);
      assertTrue(report.toString(), (long) report.get("driftWindowsWithoutReference") > 0);
      assertFalse(ParquetFiles.match(lake + "/flights/metrics/date=*/*.parquet").isEmpty());
      checkTracking(task, live);
      checkLabelledRecords(task, lake, report);
    }
  }

  /**
   * The job of the use case's first task (delay) writes each request whose feedback came as a
   * labelled record of the lake's events: the request's features, the feedback's delay, the
   * feedback as provenance; the other task's job writes none (one record per request).
   */
  private static void checkLabelledRecords(String task, Path lake, Map<String, Object> report)
      throws Exception {
    Map<String, GenericRecord> records = new TreeMap<>();
    ParquetFiles.forEachRecord(
        lake + "/flights/events/date=*/*.parquet", r -> records.put(r.get("id").toString(), r));
    if (!task.equals("delay")) {
      assertEquals(0, records.size());
      return;
    }
    Map<String, Double> delays = labels("delay");
    assertEquals(delays.keySet(), records.keySet());
    assertEquals((long) delays.size(), report.get(LabelledRecords.WRITTEN));
    assertEquals(0L, report.get(LabelledRecords.REJECTED));
    Map<String, Prediction> scored = new java.util.HashMap<>();
    PUBLISHED.get(task).forEach(p -> scored.put(p.getRequestId(), p));
    for (GenericRecord r : records.values()) {
      String id = r.get("id").toString();
      assertEquals(id, delays.get(id), ((Long) r.get("delay")).doubleValue(), 0);
      Prediction p = scored.get(id);
      assertEquals(id, p.getEventTime().toEpochMilli(), r.get("date"));
      assertEquals(id, p.getFeatures().get("origin").toString(), r.get("origin").toString());
      assertEquals(
          id,
          (Double) p.getFeatures().get("distance"),
          ((Long) r.get("distance")).doubleValue(),
          0);
      assertTrue(
          id, r.get(UseCase.SOURCE_FIELD).toString().startsWith("feedback:flights.feedback-0"));
    }
  }

  private Map<String, Object> runMetrics(
      String task,
      Path lake,
      String group,
      String metricsTopic,
      long maxPredictions,
      long maxFeedback,
      String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--task=" + task,
                "--bootstrapServers=" + KAFKA.bootstrapServers(),
                "--trackingUri=" + server.url(),
                "--lake=" + lake,
                "--consumerGroup=" + group,
                "--metricsTopic=" + metricsTopic,
                "--experiment=monitor-" + group,
                "--maxPredictions=" + maxPredictions,
                "--maxFeedback=" + maxFeedback,
                "--commitIntervalSeconds=1"));
    args.addAll(List.of(extra));
    args.addAll(List.of(runner));
    return FeedbackMetricsCommand.run(
        PipelineOptionsFactory.fromArgs(args.toArray(String[]::new))
            .as(FeedbackMetricsOptions.class));
  }

  /**
   * A job stopped and started again in the same consumer group and lake: the second one resumes
   * after the last window the first emitted ON_TIME (read from the lake), so no window is emitted
   * ON_TIME twice, and the pairs it reads for such a window are skipped and counted. (A bounded
   * first run closes every window it touched when its read ends; a streaming job stopped midway has
   * emitted only the windows its watermark passed, and loses nothing.)
   */
  @Test
  public void aRestartedJobDoesNotEmitAnOnTimeWindowTwice() throws Exception {
    String task = "delay15";
    String topic = "flights.metrics.restart." + name;
    KAFKA.createTopics(1, topic);
    Path lake = TEMP.newFolder("lake-restart-" + name).toPath();
    String group = "restart-" + name;
    int firstPredictions = predictionMessages / 2;
    int firstFeedback = feedbackMessages / 2;
    Map<String, Object> first =
        runMetrics(task, lake, group, topic, firstPredictions, firstFeedback);
    Map<String, Object> second =
        runMetrics(
            task,
            lake,
            group,
            topic,
            predictionMessages - firstPredictions,
            feedbackMessages - firstFeedback,
            "--runSeconds=180");
    System.err.println("restart[" + name + "]: first " + first + "\nsecond " + second);
    assertEquals((long) firstPredictions, first.get("predictionsRead"));
    // offsets were committed after the first run's outputs: the second reads only the rest
    assertEquals((long) (predictionMessages - firstPredictions), second.get("predictionsRead"));
    assertNotNull(second.get("resumedAfter"));
    assertTrue(second.toString(), (long) second.get("skippedEmittedWindows") > 0);
    long emitted = (long) first.get("metricWindows") + (long) second.get("metricWindows");
    Map<String, MetricWindow> onTime = new HashMap<>();
    for (ConsumerRecord<String, byte[]> m :
        KAFKA.readAll(topic, (int) emitted, Duration.ofSeconds(60))) {
      MetricWindow w = MetricWindowJson.read(m.value());
      if (w.getTiming().equals("ON_TIME")) {
        // realized and estimated windows each, restarted from their own last ON_TIME window
        String key = w.getKind() + ":" + w.getModelVersion() + "@" + w.getWindowStart();
        assertNull("emitted ON_TIME twice: " + key, onTime.put(key, w));
      }
    }
    assertEquals(emitted, onTime.size());
  }

  /** The truth per request id from the replayed feedback (the first one, as the join keeps). */
  private static Map<String, Double> labels(String task) throws java.io.IOException {
    Map<String, Double> labels = new HashMap<>();
    for (ConsumerRecord<String, byte[]> m :
        KAFKA.readAll("flights.feedback", JUNE, Duration.ofSeconds(60)).subList(0, JUNE)) {
      var node = JSON.readTree(m.value());
      var label = node.get("labels").get(task);
      if (label != null && !label.isNull()) {
        labels.putIfAbsent(node.get("requestId").asText(), label.asDouble());
      }
    }
    return labels;
  }

  /** The offline metrics of one window of one version: plain Java, same bounds. */
  private record Offline(String task, long count, List<Double> values, List<Double> targets) {
    void assertEquals(String key, MetricWindow w) {
      assertNotNull("window " + key + " was not emitted ON_TIME", w);
      org.junit.Assert.assertEquals(key, count, w.getCount());
      Map<String, Double> m = w.getMetrics();
      org.junit.Assert.assertEquals(key, targets.size(), m.get("labelled"), 0);
      org.junit.Assert.assertEquals(
          key, (double) targets.size() / count, m.get("label_coverage"), 1e-12);
      double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
      double[] y = targets.stream().mapToDouble(Double::doubleValue).toArray();
      Map<String, Double> expected =
          task.equals("delay")
              ? RegressionMetrics.of(v, y).asMap()
              : ClassificationMetrics.of(v, y, ones(v.length), 0.5).asMap();
      expected.remove("count");
      expected.remove("positive_rate");
      for (Map.Entry<String, Double> e : expected.entrySet()) {
        if (Double.isNaN(e.getValue())) {
          assertTrue(key + " " + e.getKey(), w.getUndefined().containsKey(e.getKey()));
        } else {
          org.junit.Assert.assertEquals(
              key + " " + e.getKey(), e.getValue(), m.get(e.getKey()), 1e-9);
        }
      }
    }
  }

  private static double[] ones(int n) {
    double[] w = new double[n];
    Arrays.fill(w, 1);
    return w;
  }

  /** Every sliding window (1 h every 10 min) of every version and of all: the hash join by hand. */
  private static Map<String, Offline> offline(
      String task, List<Prediction> published, Map<String, Double> labels) {
    Map<String, Offline> windows = new TreeMap<>();
    for (Prediction p : published) {
      long t = p.getEventTime().toEpochMilli();
      Double target = labels.get(p.getRequestId());
      for (long start = Math.floorDiv(t, PERIOD) * PERIOD; start > t - WINDOW; start -= PERIOD) {
        for (String version : List.of(p.getModelVersion(), "all")) {
          String key = version + "@" + Instant.ofEpochMilli(start);
          Offline w =
              windows.computeIfAbsent(
                  key, k -> new Offline(task, 0, new ArrayList<>(), new ArrayList<>()));
          if (target != null) {
            w.values().add(p.getPrediction());
            w.targets().add(target);
          }
          windows.put(key, new Offline(task, w.count() + 1, w.values(), w.targets()));
        }
      }
    }
    return windows;
  }

  /**
   * A classification task's windows of expected performance: one ON_TIME estimate per realized
   * window, of the same predictions, its expected accuracy the mean probability of being right of
   * the predictions published into it; a regression has none.
   */
  private static void checkEstimates(
      String task,
      Map<String, MetricWindow> live,
      Map<String, MetricWindow> estimated,
      List<Prediction> published) {
    if (!task.equals("delay15")) {
      org.junit.Assert.assertTrue(estimated.toString(), estimated.isEmpty());
      return;
    }
    Map<String, MetricWindow> onTime = new TreeMap<>();
    estimated.forEach(
        (key, w) -> {
          if (key.endsWith("/ON_TIME")) {
            onTime.put(key.substring(0, key.length() - "/ON_TIME".length()), w);
          }
        });
    org.junit.Assert.assertEquals(live.keySet(), onTime.keySet());
    for (Map.Entry<String, MetricWindow> e : onTime.entrySet()) {
      MetricWindow w = e.getValue();
      org.junit.Assert.assertEquals(e.getKey(), live.get(e.getKey()).getCount(), w.getCount());
      double right = 0;
      long n = 0;
      long start = w.getWindowStart().toEpochMilli();
      for (Prediction p : published) {
        long t = p.getEventTime().toEpochMilli();
        boolean version =
            e.getKey().startsWith("all@") || e.getKey().startsWith(p.getModelVersion() + "@");
        if (version && t >= start && t < start + WINDOW) {
          boolean positive = p.getPredictedClass().toString().equals("1");
          right += positive ? p.getPrediction() : 1 - p.getPrediction();
          n++;
        }
      }
      org.junit.Assert.assertEquals(e.getKey(), n, w.getCount());
      org.junit.Assert.assertEquals(
          e.getKey(), right / n, w.getMetrics().get("estimated_accuracy"), 1e-9);
    }
  }

  /** One monitoring run per version, its metric history at the ON_TIME windows' ends. */
  private void checkTracking(String task, Map<String, MetricWindow> live) throws Exception {
    try (TrackingClient client =
        TrackingClient.create(TrackingConfig.builder().trackingUri(server.url()).build())) {
      String experimentId =
          client.findExperimentId("monitor-metrics-" + name + "-" + task).orElseThrow();
      for (String version : List.of("1", "2", "all")) {
        List<TrackedRun> runs =
            client.searchRuns(
                List.of(experimentId),
                "attributes.run_name = '" + LogMetricWindows.runName(task, version) + "'",
                10);
        org.junit.Assert.assertEquals(task + " v" + version, 1, runs.size());
        List<MetricPoint> history = client.metricHistory(runs.get(0).runId(), "count");
        long onTime =
            live.values().stream().filter(w -> w.getModelVersion().equals(version)).count();
        org.junit.Assert.assertEquals(task + " v" + version, onTime, history.size());
      }
    }
  }
}
