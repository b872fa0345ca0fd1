package org.beammlops.pipelines.usecase;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.beammlops.pipelines.batch.BatchPredictCommand;
import org.beammlops.pipelines.batch.BatchPredictOptions;
import org.beammlops.pipelines.ingest.IngestOptions;
import org.beammlops.pipelines.ingest.IngestPipeline;
import org.beammlops.pipelines.score.ScoreCommand;
import org.beammlops.pipelines.score.ScoreOptions;
import org.beammlops.pipelines.testing.EmbeddedKafka;
import org.beammlops.pipelines.testing.UseCaseData;
import org.beammlops.pipelines.train.TrainPipeline;
import org.beammlops.pipelines.train.TrainingFixture;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.evaluate.MultiClassMetrics;
import org.beammlops.transforms.lake.ParquetFiles;
import org.beammlops.transforms.parse.KafkaPayloads;
import org.beammlops.transforms.tracking.LocalTrackingServer;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingConfig;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Use cases made of a schema and a config only, none of them flights, through the whole loop:
 * ingest, train on the DirectRunner and on Flink {@code [local]}, register, batch-predict from a
 * job file that leaves use case and task to the model, and stream-score with {@code --model} alone.
 * Loans: CSV whose columns are not Avro names, a text label with a named positive class at a 2%
 * rate. Sensors: one JSON array without any timestamp, positive unless the failure mode is none.
 * Vehicles: JSON lines, a five-class text label from 55% down to 8% of the rows.
 */
public class AnyTabularDataIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @ClassRule public static final EmbeddedKafka KAFKA = new EmbeddedKafka();
  @ClassRule public static final TemporaryFolder TEMP = new TemporaryFolder();
  private static LocalTrackingServer server;

  @BeforeClass
  public static void start() throws Exception {
    server = LocalTrackingServer.start(TEMP.newFolder("mlruns").toPath());
  }

  @AfterClass
  public static void stop() throws Exception {
    server.close();
  }

  @Test
  public void loansWithSourceColumnNamesAndARareTextLabel() throws Exception {
    UseCaseData.withTestUseCases(
        () -> {
          Path dir = TEMP.newFolder("loans").toPath();
          List<String> csv = UseCaseData.loansCsv(10_000, 11);
          Path input = UseCaseData.write(dir.resolve("in/loans.csv"), String.join("\n", csv));
          Loop loop = new Loop("loans", "default", dir, input, 10_000);
          Map<String, Object> trained = loop.run();
          // 2% positives: the tuned threshold finds them where 0.5 would not
          @SuppressWarnings("unchecked")
          Map<String, Double> stack =
              (Map<String, Double>) ((Map<String, Object>) trained.get("holdout")).get("stack");
          assertTrue(stack.toString(), stack.get("precision") > 0);
          assertTrue(stack.toString(), stack.get("recall") > 0);
          assertTrue(stack.toString(), stack.get("f1") > 0);
          double threshold = (Double) trained.get("decisionThreshold");
          System.err.printf("loans default: threshold %.4f, holdout %s%n", threshold, stack);
          assertTrue("threshold " + threshold, threshold > 0 && threshold < 0.5);
          // and the champion serves with its own: a probability above it is the positive class
          double served = (Double) loop.champion.get("decisionThreshold");
          loop.batchPredictions.forEach(
              (id, p) ->
                  assertEquals(
                      id + ": p " + p + ", served threshold " + served + ", " + loop.models,
                      p > served ? "Charged Off" : "not Charged Off",
                      loop.batchClasses.get(id)));
          assertEquals(
              threshold, Double.parseDouble(loop.params(trained).get("decision_threshold")), 0);
          // requests name their fields by source column, as the file did
          loop.streamScore(
              csv.subList(1, 301).stream().map(AnyTabularDataIT::loanRequest).toList());
          return null;
        });
  }

  @Test
  public void sensorsFromAJsonArrayWithoutATimestamp() throws Exception {
    UseCaseData.withTestUseCases(
        () -> {
          Path dir = TEMP.newFolder("sensors").toPath();
          String array = UseCaseData.sensorsJsonArray(3_000, 5);
          Path input = UseCaseData.write(dir.resolve("in/sensors.json"), array);
          Loop loop = new Loop("sensors", "fails", dir, input, 3_000);
          Map<String, Object> trained = loop.run();
          assertEquals("hash", loop.params(trained).get("split"));
          // no event time: the lake is one partition
          try (Stream<Path> partitions = Files.list(dir.resolve("lake/sensors/events"))) {
            assertEquals(
                List.of("date=all"), partitions.map(p -> p.getFileName().toString()).toList());
          }
          List<byte[]> requests = new ArrayList<>();
          JsonNode readings = JSON.readTree(array);
          for (int i = 0; i < 300; i++) {
            ObjectNode r = (ObjectNode) readings.get(i).deepCopy();
            r.remove("failure_mode");
            requests.add(r.toString().getBytes(StandardCharsets.UTF_8));
          }
          loop.streamScore(requests);
          return null;
        });
  }

  @Test
  public void vehiclesWithAMultiClassTextLabel() throws Exception {
    UseCaseData.withTestUseCases(
        () -> {
          Path dir = TEMP.newFolder("vehicles").toPath();
          List<String> lines = UseCaseData.vehiclesJsonLines(6_000, 3);
          Path input = UseCaseData.write(dir.resolve("in/vehicles.json"), String.join("\n", lines));
          Loop loop = new Loop("vehicles", "kind", dir, input, 6_000);
          Map<String, Object> trained = loop.run();
          @SuppressWarnings("unchecked")
          Map<String, Object> holdout = (Map<String, Object>) trained.get("holdout");
          @SuppressWarnings("unchecked")
          Map<String, Double> stack = (Map<String, Double>) holdout.get("stack");
          @SuppressWarnings("unchecked")
          Map<String, Double> baseline = (Map<String, Double>) holdout.get("baseline");
          System.err.printf("vehicles kind: holdout %s, baseline %s%n", stack, baseline);
          // the class prior is the baseline; the stack learns much more than it
          assertTrue(stack + " vs " + baseline, stack.get("log_loss") < baseline.get("log_loss"));
          assertTrue(stack.toString(), stack.get("accuracy") > baseline.get("accuracy") + 0.1);
          assertTrue(stack.toString(), stack.get("f1_macro") > 0.5);
          assertTrue(stack.toString(), stack.get("roc_auc_ovr_macro") > 0.8);
          Map<String, String> params = loop.params(trained);
          for (String c : UseCaseData.VEHICLE_CLASSES) {
            assertNotNull(c + " in " + params, params.get("stacker_intercept_" + c));
            assertNotNull(c + " in " + params, params.get("class_weight_" + c));
          }
          // every class's probability is served, and the predicted class is the most probable
          assertEquals(6_000, loop.batchProbabilities.size());
          loop.batchProbabilities.forEach(
              (id, p) -> {
                int best = 0;
                double sum = 0;
                for (int c = 0; c < p.length; c++) {
                  sum += p[c];
                  best = p[c] > p[best] ? c : best;
                }
                assertEquals(id, 1, sum, 1e-5);
                assertEquals(id, UseCaseData.VEHICLE_CLASSES.get(best), loop.batchClasses.get(id));
              });
          loop.checkServedHoldoutMetrics();
          List<byte[]> requests = new ArrayList<>();
          for (String line : lines.subList(0, 300)) {
            ObjectNode r = (ObjectNode) JSON.readTree(line);
            r.remove("vehicle_class");
            requests.add(r.toString().getBytes(StandardCharsets.UTF_8));
          }
          loop.streamScore(requests);
          return null;
        });
  }

  /** One loan line of the CSV as a JSON request keyed by source column names, no label. */
  private static byte[] loanRequest(String line) {
    String[] cells = line.split(",", -1);
    ObjectNode r = JSON.createObjectNode();
    r.put("Loan ID", cells[0]);
    r.put("Opened On", cells[1]);
    r.put("Amount $", Double.parseDouble(cells[2]));
    r.put("Grade (A-E)", cells[3]);
    r.put("Term (months)", Long.parseLong(cells[4]));
    if (!cells[6].isEmpty()) {
      r.put("Recoveries $", Double.parseDouble(cells[6]));
    }
    return r.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Ingest, train twice (DirectRunner, Flink), batch-predict and stream-score one use case. */
  private static final class Loop {
    final String useCase;
    final String task;
    final Path dir;
    final Path input;
    final int rows;
    final Path lake;
    Map<String, Double> batchPredictions;
    Map<String, String> batchClasses;
    Map<String, double[]> batchProbabilities;
    Map<String, Object> champion;
    String models;

    Loop(String useCase, String task, Path dir, Path input, int rows) {
      this.useCase = useCase;
      this.task = task;
      this.dir = dir;
      this.input = input;
      this.rows = rows;
      this.lake = dir.resolve("lake");
    }

    /** Everything but the stream; returns the DirectRunner training's report. */
    Map<String, Object> run() throws Exception {
      Map<String, Object> ingested =
          IngestPipeline.run(
              PipelineOptionsFactory.fromArgs(
                      "--runner=DirectRunner",
                      "--useCase=" + useCase,
                      "--input=" + input,
                      "--lake=" + lake)
                  .as(IngestOptions.class));
      assertEquals(ingested.toString(), (long) rows, ((Number) ingested.get("valid")).longValue());
      assertEquals(ingested.toString(), 0L, ((Number) ingested.get("deadLetter")).longValue());

      Map<String, Object> direct = train(TrainingFixture.direct());
      Map<String, Object> flink = train(TrainingFixture.flink());
      for (Map<String, Object> report : List.of(direct, flink)) {
        Map<?, ?> model = (Map<?, ?>) report.get("model");
        assertEquals(useCase + "-" + task, model.get("registeredModel"));
        @SuppressWarnings("unchecked")
        Map<String, Double> stack =
            (Map<String, Double>) ((Map<String, Object>) report.get("holdout")).get("stack");
        assertTrue("ONNX parity: " + stack, stack.get("onnx_max_diff") <= 1e-5);
      }

      // the Flink-trained version is champion if the gate promoted it, else the first one
      champion =
          Boolean.TRUE.equals(((Map<?, ?>) flink.get("model")).get("promoted")) ? flink : direct;
      models =
          "direct "
              + direct.get("decisionThreshold")
              + " "
              + direct.get("model")
              + ", flink "
              + flink.get("decisionThreshold")
              + " "
              + flink.get("model");
      batchPredict();
      return direct;
    }

    /** The params of a training's tracked run. */
    Map<String, String> params(Map<String, Object> report) throws Exception {
      try (TrackingClient tracking =
          TrackingClient.create(TrackingConfig.builder().trackingUri(server.url()).build())) {
        return tracking.getRun((String) report.get("runId")).params();
      }
    }

    private Map<String, Object> train(String[] runner) {
      return TrainPipeline.run(
          TrainingFixture.options(
              server.url(), lake, runner, "--useCase=" + useCase, "--task=" + task));
    }

    /** A job file with neither use case nor task: the model says which. */
    private void batchPredict() throws Exception {
      Path job =
          UseCaseData.write(
              dir.resolve("job.yaml"),
              """
              source: {type: file, path: "%s"}
              model:  {uri: "models:/%s-%s@champion"}
              target: {type: file, format: json, path: out}
              """
                  .formatted(input, useCase, task));
      PipelineOptionsFactory.register(BatchPredictOptions.class);
      BatchPredictOptions options =
          PipelineOptionsFactory.fromArgs(
                  "--config=" + job, "--trackingUri=" + server.url(), "--runner=DirectRunner")
              .as(BatchPredictOptions.class);
      FileSystems.setDefaultPipelineOptions(options);
      Map<String, Object> counters = BatchPredictCommand.run(options);
      assertEquals(
          counters.toString(), (long) rows, ((Number) counters.get("predictions")).longValue());
      List<String> classes = UseCases.load(useCase).task(task).outputClasses();
      batchPredictions = new HashMap<>();
      batchClasses = new HashMap<>();
      batchProbabilities = new HashMap<>();
      try (Stream<Path> files = Files.list(dir.resolve("out"))) {
        for (Path file :
            files.filter(f -> f.getFileName().toString().startsWith("predictions-")).toList()) {
          for (String line : Files.readAllLines(file)) {
            JsonNode p = JSON.readTree(line);
            assertTrue(line, classes.contains(p.get("predictedClass").asText()));
            batchPredictions.put(p.get("requestId").asText(), p.get("prediction").asDouble());
            batchClasses.put(p.get("requestId").asText(), p.get("predictedClass").asText());
            double[] probabilities = new double[classes.size()];
            for (int c = 0; c < classes.size(); c++) {
              probabilities[c] = p.get("classProbabilities").get(classes.get(c)).asDouble();
            }
            batchProbabilities.put(p.get("requestId").asText(), probabilities);
          }
        }
      }
      assertEquals(rows, batchPredictions.size());
    }

    /**
     * The champion's holdout metrics, as its training tracked them (from the learners' own stack),
     * equal those of what batch prediction served (the ONNX graph) for the same holdout rows.
     */
    void checkServedHoldoutMetrics() throws Exception {
      Task t = UseCases.load(useCase).task(task);
      String trainingDir;
      try (TrackingClient tracking =
          TrackingClient.create(TrackingConfig.builder().trackingUri(server.url()).build())) {
        trainingDir =
            tracking.getRun((String) champion.get("runId")).tags().get("mlops.training_dir");
      }
      List<double[]> probabilities = new ArrayList<>();
      List<Double> labels = new ArrayList<>();
      ParquetFiles.forEachRecord(
          trainingDir + "/holdout/date=*/*.parquet",
          r -> {
            probabilities.add(batchProbabilities.get(r.get("vehicle_id").toString()));
            labels.add(t.target(r.get(t.label())));
          });
      MultiClassMetrics served =
          MultiClassMetrics.of(
              probabilities.toArray(double[][]::new),
              labels.stream().mapToDouble(Double::doubleValue).toArray());
      @SuppressWarnings("unchecked")
      Map<String, Double> tracked =
          (Map<String, Double>) ((Map<String, Object>) champion.get("holdout")).get("stack");
      assertEquals(tracked.get("count"), served.count(), 0);
      assertEquals(tracked.get("log_loss"), served.logLoss(), 1e-5);
      assertEquals(tracked.get("accuracy"), served.accuracy(), 2.0 / served.count());
      assertEquals(tracked.get("roc_auc_ovr_macro"), served.rocAucMacro(), 1e-4);
    }

    /** Scores {@code requests} from a topic with {@code --model} alone; same as the batch job. */
    void streamScore(List<byte[]> requests) throws Exception {
      String in = useCase + ".requests.it";
      String out = useCase + ".predictions.it";
      KAFKA.createTopics(1, in, useCase + ".dlq");
      KAFKA.createTopics(2, out);
      Properties p = new Properties();
      p.put("bootstrap.servers", KAFKA.bootstrapServers());
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
        for (byte[] request : requests) {
          ProducerRecord<String, byte[]> record = new ProducerRecord<>(in, null, request);
          record
              .headers()
              .add(KafkaPayloads.CONTENT_TYPE, "Application/JSON".getBytes(StandardCharsets.UTF_8));
          producer.send(record);
        }
      }
      PipelineOptionsFactory.register(ScoreOptions.class);
      ScoreOptions options =
          PipelineOptionsFactory.fromArgs(
                  "--runner=DirectRunner",
                  "--blockOnRun=false",
                  "--enforceImmutability=false",
                  "--enforceEncodability=false",
                  "--bootstrapServers=" + KAFKA.bootstrapServers(),
                  "--trackingUri=" + server.url(),
                  "--lake=" + lake,
                  "--model=models:/" + useCase + "-" + task + "@champion",
                  "--requestsTopic=" + in,
                  "--predictionsTopic=" + out,
                  "--commitIntervalSeconds=2")
              .as(ScoreOptions.class);
      FileSystems.setDefaultPipelineOptions(options);
      CompletableFuture<PipelineResult> job =
          CompletableFuture.supplyAsync(() -> ScoreCommand.start(options));
      List<ConsumerRecord<String, byte[]>> predictions =
          KAFKA.readAll(out, requests.size(), Duration.ofSeconds(120));
      Map<String, Object> counters = ScoreCommand.stop(job.get(120, TimeUnit.SECONDS));
      assertEquals(counters.toString(), requests.size(), predictions.size());
      for (ConsumerRecord<String, byte[]> record : predictions) {
        JsonNode prediction = JSON.readTree(record.value());
        String id = prediction.get("requestId").asText();
        assertEquals(useCase + "-" + task, prediction.get("modelName").asText());
        Double offline = batchPredictions.get(id);
        assertNotNull("a batch prediction for " + id, offline);
        assertEquals(id, offline, prediction.get("prediction").asDouble(), 1e-6);
        assertEquals(id, batchClasses.get(id), prediction.get("predictedClass").asText());
      }
    }
  }
}
