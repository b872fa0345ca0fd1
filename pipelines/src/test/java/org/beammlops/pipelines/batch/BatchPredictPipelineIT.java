package org.beammlops.pipelines.batch;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.beammlops.pipelines.Mlops;
import org.beammlops.pipelines.common.OptionPresets;
import org.beammlops.pipelines.testing.EmbeddedKafka;
import org.beammlops.pipelines.testing.FlightsTestData;
import org.beammlops.pipelines.testing.FlightsTestData.Flight;
import org.beammlops.pipelines.testing.LakeFiles;
import org.beammlops.pipelines.testing.TrainedModel;
import org.beammlops.pipelines.train.TrainingFixture;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.inference.LoadedModel;
import org.beammlops.transforms.inference.MlflowOnnxModelHandler;
import org.beammlops.transforms.inference.ModelOutput;
import org.beammlops.transforms.inference.ModelRef;
import org.beammlops.transforms.inference.WatchModelRegistry;
import org.beammlops.transforms.parse.KafkaPayloads;
import org.beammlops.transforms.parse.RecordParser;
import org.beammlops.transforms.tracking.LocalTrackingServer;
import org.beammlops.transforms.tracking.ModelUri;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingConfig;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code batch-predict} end to end with a model the training pipeline registered on a real local
 * tracking server: the committed sample gets one prediction per row, equal to the model's offline
 * answer; malformed lines become dead letters; a local model directory and a topic work as well; a
 * model that does not exist stops the job before anything runs.
 */
public class BatchPredictPipelineIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CHAMPION = "models:/flights-delay15@champion";

  @ClassRule public static final TemporaryFolder TEMP = new TemporaryFolder();
  @ClassRule public static final EmbeddedKafka KAFKA = new EmbeddedKafka();
  private static LocalTrackingServer server;
  private static ModelRef champion;

  @BeforeClass
  public static void trainAndRegister() throws Exception {
    server = LocalTrackingServer.start(TEMP.newFolder("mlruns").toPath());
    TrainedModel.registerAsChampion(server.url(), "flights-delay15");
    champion = WatchModelRegistry.resolve(server.url(), CHAMPION);
  }

  @AfterClass
  public static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  public void theCommittedSampleGetsOnePredictionPerRowEqualToTheOfflineOne() throws Exception {
    Path job =
        job(
            "sample",
            """
            task: delay15
            source: {type: file, format: parquet, path: %s}
            model:  {uri: "%s"}
            target: {type: file, format: json, path: out}
            """
                .formatted(TrainingFixture.SAMPLE, CHAMPION));
    Map<String, Object> counters = run(job, TrainingFixture.direct());

    assertEquals(100_000L, counters.get("read"));
    assertEquals(100_000L, counters.get("valid"));
    assertEquals(0L, counters.get("deadLetter"));
    assertEquals(100_000L, counters.get("predictions"));
    Path out = job.resolveSibling("out");
    List<String> lines = lines(out, "predictions-", ".jsonl");
    assertEquals(100_000, lines.size());
    Map<String, Double> byId = new HashMap<>();
    for (String line : lines) {
      JsonNode p = JSON.readTree(line);
      assertEquals("flights-delay15", p.get("modelName").asText());
      assertEquals("1", p.get("modelVersion").asText());
      assertNull(byId.put(p.get("requestId").asText(), p.get("prediction").asDouble()));
    }
    assertEquals(0, lines(out.resolve("deadletter"), "deadletter-", ".jsonl").size());

    // The first rows, parsed and scored outside any pipeline: same stable ids, same values.
    Map<String, Double> offline = offlineSample(500);
    assertEquals(500, offline.size());
    offline.forEach((id, value) -> assertEquals(id, value, byId.get(id), 1e-9));
  }

  @Test
  public void malformedCsvLinesAreDeadLettersAndTheRestIsPredicted() throws Exception {
    List<Flight> flights = FlightsTestData.firstRows(300);
    List<byte[]> lines = new ArrayList<>();
    lines.add(FlightsTestData.utf8(FlightsTestData.CSV_HEADER));
    List<String> malformed =
        List.of(
            "2001-01-01T07:05:00,3,far,ORD,LAX",
            "2001-01-01T07:05:00,3,1000,ord,LAX",
            "not a flight",
            "2001-13-45T99:00:00,3,1000,ORD,LAX");
    for (int i = 0; i < flights.size(); i++) {
      lines.add(FlightsTestData.utf8(flights.get(i).csv()));
      if (i % 75 == 10) {
        lines.add(FlightsTestData.utf8(malformed.get(i / 75)));
      }
    }
    Path dir = TEMP.newFolder("csv").toPath();
    FlightsTestData.writeLines(dir.resolve("in.csv"), lines);
    String yaml =
        """
        task: delay15
        batchSize: 64
        source: {type: file, format: csv, path: in.csv}
        model:  {uri: "%s"}
        target: {type: file, format: csv, path: out}
        """
            .formatted(CHAMPION);
    Path job = Files.writeString(dir.resolve("job.yaml"), yaml);

    // Through the command, as a user runs it: --config=<file>, the counters as the last line.
    String[] args = {
      "batch-predict", "--config=" + job, "--trackingUri=" + server.url(), "--runner=DirectRunner"
    };
    Command result = command(args);
    assertEquals(result.stderr, 0, result.code);
    JsonNode counters = JSON.readTree(result.lastLine());
    assertEquals(304, counters.get("read").asLong());
    assertEquals(300, counters.get("valid").asLong());
    assertEquals(4, counters.get("deadLetter").asLong());
    assertEquals(300, counters.get("predictions").asLong());

    List<String> csv = lines(dir.resolve("out"), "predictions-", ".csv");
    List<String> rows =
        csv.stream().filter(l -> !l.equals(WritePredictionFiles.CSV_HEADER)).toList();
    assertEquals(300, rows.size());
    assertTrue(csv.contains(WritePredictionFiles.CSV_HEADER));
    // the class is the model's decision, at the threshold it was trained with
    double threshold =
        org.beammlops.transforms.model.MlflowModelReader.read(TrainedModel.directory())
            .decisionThreshold();
    assertTrue("a tuned threshold: " + threshold, threshold > 0 && threshold < 1);
    for (String row : rows) {
      String[] cells = row.split(",", -1);
      assertEquals(row, 6, cells.length);
      assertEquals("flights-delay15", cells[2]);
      double p = Double.parseDouble(cells[4]);
      assertEquals(p > threshold ? "1" : "0", cells[5]);
    }
    List<String> dead = lines(dir.resolve("out").resolve("deadletter"), "deadletter-", ".jsonl");
    assertEquals(4, dead.size());
    Set<String> payloads = new HashSet<>();
    for (String line : dead) {
      JsonNode d = JSON.readTree(line);
      assertEquals("batch-predict", d.get("pipeline").asText());
      assertFalse(d.get("reason").asText().isEmpty());
      payloads.add(d.get("payloadText").asText());
    }
    assertEquals(new HashSet<>(malformed), payloads);

    // A second run does not mix its files with the first one's, unless told to replace them.
    Command again = command(args);
    assertEquals(2, again.code);
    assertThat(again.stderr, containsString("already holds"));
    Files.writeString(job, yaml.replace("path: out}", "path: out, overwrite: true}"));
    Command overwrite = command(args);
    assertEquals(overwrite.stderr, 0, overwrite.code);
    assertEquals(300, JSON.readTree(overwrite.lastLine()).get("predictions").asLong());
    assertEquals(
        300 + countFiles(dir.resolve("out"), "predictions-"),
        lines(dir.resolve("out"), "predictions-", ".csv").size());
  }

  @Test
  public void aLocalModelDirectoryRelativeToTheJobFile() throws Exception {
    Path dir = TEMP.newFolder("local").toPath();
    Path downloaded;
    try (TrackingClient tracking =
        TrackingClient.create(
            TrackingConfig.fromEnvironment().toBuilder().trackingUri(server.url()).build())) {
      downloaded =
          tracking
              .resolve(
                  ModelUri.parse("models:/flights-delay15/1"), TEMP.newFolder("cache").toPath())
              .localPath();
    }
    copyTree(downloaded, dir.resolve("models").resolve("delay15"));
    List<byte[]> requests = requests(200, "local");
    FlightsTestData.writeLines(dir.resolve("requests.jsonl"), requests);
    Path job =
        Files.writeString(
            dir.resolve("job.yaml"),
            """
            task: delay15
            source: {type: file, path: requests.jsonl}
            model:  {uri: models/delay15}
            target: {type: file, format: parquet, path: out, shards: 1}
            """);
    Map<String, Object> counters = run(job);
    assertEquals(200L, counters.get("predictions"));

    List<GenericRecord> rows = LakeFiles.readAll(dir.resolve("out"));
    assertEquals(200, rows.size());
    Map<String, Double> offline = offline(requests);
    for (GenericRecord row : rows) {
      assertEquals("delay15", row.get("modelName").toString());
      assertEquals("local", row.get("modelVersion").toString());
      String id = row.get("requestId").toString();
      assertEquals(id, offline.get(id), (Double) row.get("prediction"), 1e-9);
    }
    assertEquals(
        offline.keySet(),
        new HashSet<>(rows.stream().map(r -> r.get("requestId").toString()).toList()));
  }

  @Test
  public void aBoundedTopicReadToATopic() throws Exception {
    // One partition for the requests: a count-limited read waits on a partition short of its share.
    KAFKA.createTopics(1, "batch.requests");
    KAFKA.createTopics(2, "batch.predictions", "batch.dlq");
    List<byte[]> requests = requests(500, "kafka");
    Properties p = new Properties();
    p.put("bootstrap.servers", KAFKA.bootstrapServers());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      for (byte[] request : requests) {
        ProducerRecord<String, byte[]> record =
            new ProducerRecord<>("batch.requests", null, request);
        record.headers().add(KafkaPayloads.CONTENT_TYPE, FlightsTestData.utf8(KafkaPayloads.JSON));
        producer.send(record);
      }
    }
    Path job =
        job(
            "kafka",
            """
            task: delay15
            source: {type: kafka, topic: batch.requests, bootstrap: "%s", maxRecords: 500}
            model:  {uri: "%s"}
            target: {type: kafka, topic: batch.predictions, bootstrap: "%s", deadLetterTopic: batch.dlq}
            """
                .formatted(KAFKA.bootstrapServers(), CHAMPION, KAFKA.bootstrapServers()));
    Map<String, Object> counters = run(job, TrainingFixture.direct());
    assertEquals(500L, counters.get("predictions"));

    List<ConsumerRecord<String, byte[]>> out =
        KAFKA.readAll("batch.predictions", 500, Duration.ofSeconds(60));
    assertEquals(500, out.size());
    Map<String, Double> offline = offline(requests);
    for (ConsumerRecord<String, byte[]> record : out) {
      JsonNode prediction = JSON.readTree(record.value());
      assertEquals(record.key(), prediction.get("requestId").asText());
      assertEquals(
          record.key(), offline.get(record.key()), prediction.get("prediction").asDouble(), 1e-9);
    }
  }

  @Test
  public void aModelThatDoesNotExistStopsTheJobBeforeAnythingRuns() throws Exception {
    Path dir = TEMP.newFolder("missing-model").toPath();
    FlightsTestData.writeLines(dir.resolve("in.jsonl"), requests(5, "m"));
    Files.createDirectories(dir.resolve("not-a-model"));
    Map<String, String> expected =
        Map.of(
            "models:/flights-delay15@nope", "has no alias 'nope'",
            "models:/no-such-model@champion", "does not exist",
            "models:/flights-delay15/42", "does not exist",
            "no/such/dir", "does not exist",
            "not-a-model", "cannot be served");
    for (Map.Entry<String, String> e : expected.entrySet()) {
      Path job =
          Files.writeString(
              dir.resolve("job.yaml"),
              """
              task: delay15
              source: {type: file, path: in.jsonl}
              model:  {uri: "%s"}
              target: {type: file, path: out}
              """
                  .formatted(e.getKey()));
      IllegalArgumentException error =
          assertThrows(e.getKey(), IllegalArgumentException.class, () -> run(job));
      assertThat(error.getMessage(), containsString("model.uri: "));
      assertThat(error.getMessage(), containsString(e.getValue()));
      assertFalse("nothing written for " + e.getKey(), Files.exists(dir.resolve("out")));
    }
  }

  @Test
  public void aSourceOfNothingButDeadLettersFailsWithItsMostFrequentReasonAndAHint()
      throws Exception {
    Path dir = TEMP.newFolder("renamed").toPath();
    Files.writeString(
        dir.resolve("in.csv"),
        "Departure,Delay (min),Miles,From,To\n2001-01-01 06:05,5,500,LAX,SFO\n");
    Path job =
        Files.writeString(
            dir.resolve("job.yaml"),
            """
            source: {type: file, format: csv, path: in.csv}
            model:  {uri: "%s"}
            target: {type: file, path: out}
            """
                .formatted(CHAMPION));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(job));
    assertThat(
        e.getMessage(), containsString("was valid: 1 dead letters, 1 of them MISSING_FIELD"));
    assertThat(e.getMessage(), containsString("Hint: the file's column names"));
  }

  @Test
  public void jobFileErrorsAreOneClearLineAndExitCodeTwo() throws Exception {
    Path dir = TEMP.newFolder("bad-yaml").toPath();
    Path job =
        Files.writeString(
            dir.resolve("job.yaml"),
            """
            task: delay15
            source: {type: file, formt: csv}
            model:  {uri: "models:/flights-delay15@champion"}
            target: {type: file, path: out}
            """);
    Command result = command(new String[] {"batch-predict", "--config=" + job});
    assertEquals(2, result.code);
    assertThat(result.stderr, containsString("error: " + job + ": source.formt: unknown key"));

    Files.writeString(
        job,
        """
        task: delay15
        source: {type: file, path: nothing-here/*.csv}
        model:  {uri: "models:/flights-delay15@champion"}
        target: {type: file, path: out}
        """);
    result = command(new String[] {"batch-predict", "--config=" + job});
    assertEquals(2, result.code);
    assertThat(result.stderr, containsString("source.path: no file matches"));
    assertEquals(2, command(new String[] {"batch-predict"}).code);
  }

  // ------------------------------------------------------------------------------------ helpers

  private static Path job(String name, String yaml) throws IOException {
    return Files.writeString(TEMP.newFolder(name).toPath().resolve("job.yaml"), yaml);
  }

  /** Runs the pipeline with the test's runner (DirectRunner with its checks on by default). */
  private static Map<String, Object> run(Path job, String... runner) {
    List<String> args = new ArrayList<>(Arrays.asList(runner));
    if (runner.length == 0) {
      args.add("--runner=DirectRunner");
    }
    args.add("--config=" + job);
    args.add("--trackingUri=" + server.url());
    PipelineOptionsFactory.register(BatchPredictOptions.class);
    BatchPredictOptions options =
        PipelineOptionsFactory.fromArgs(args.toArray(String[]::new))
            .withValidation()
            .as(BatchPredictOptions.class);
    FileSystems.setDefaultPipelineOptions(options);
    return BatchPredictCommand.run(options);
  }

  private record Command(int code, String stdout, String stderr) {
    String lastLine() {
      String[] lines = stdout.strip().split("\n");
      return lines[lines.length - 1];
    }
  }

  private static Command command(String[] args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
      int code = Mlops.run(args, OptionPresets.NONE);
      return new Command(
          code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  /** Lines of the files {@code <prefix>*<suffix>} directly under {@code dir}. */
  private static List<String> lines(Path dir, String prefix, String suffix) throws IOException {
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.startsWith(prefix) && name.endsWith(suffix)) {
          Files.readAllLines(f).stream().filter(l -> !l.isBlank()).forEach(out::add);
        }
      }
    }
    return out;
  }

  private static int countFiles(Path dir, String prefix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return (int) files.filter(f -> f.getFileName().toString().startsWith(prefix)).count();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  /** {@code n} JSON requests with ids {@code <prefix>-<i>}, from the sample's first rows. */
  private static List<byte[]> requests(int n, String prefix) throws IOException {
    List<Flight> flights = FlightsTestData.firstRows(n);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String json = flights.get(i).json();
      out.add(FlightsTestData.utf8("{\"id\":\"" + prefix + "-" + i + "\"," + json.substring(1)));
    }
    return out;
  }

  /** The champion's answers for JSON requests, by id, computed outside any pipeline. */
  private static Map<String, Double> offline(List<byte[]> requests) throws Exception {
    RecordParser parser = new RecordParser(UseCases.load("flights"));
    List<GenericRecord> records = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      records.add(parser.fromJson(requests.get(i), "offline", i));
    }
    return score(records);
  }

  /**
   * The first {@code n} rows of the sample as the file source parses them (the same source name and
   * positions, hence the same derived ids), scored outside any pipeline.
   */
  private static Map<String, Double> offlineSample(int n) throws Exception {
    RecordParser parser = new RecordParser(UseCases.load("flights"));
    List<GenericRecord> records = new ArrayList<>();
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(
                HadoopInputFile.fromPath(
                    new org.apache.hadoop.fs.Path(TrainingFixture.SAMPLE), new Configuration()))
            .build()) {
      for (long position = 1; position <= n; position++) {
        GenericRecord row = reader.read();
        assertNotNull(row);
        records.add(parser.fromRow(row, TrainingFixture.SAMPLE, position));
      }
    }
    return score(records);
  }

  private static Map<String, Double> score(List<GenericRecord> records) {
    Map<String, Double> out = new HashMap<>();
    try (LoadedModel<GenericRecord, ModelOutput> model =
        MlflowOnnxModelHandler.of("flights", server.url()).load(champion)) {
      List<LoadedModel.Scored<ModelOutput>> scored = model.predict(records);
      for (int i = 0; i < records.size(); i++) {
        assertTrue(scored.get(i).isOk());
        out.put(records.get(i).get("id").toString(), scored.get(i).inference().value());
      }
    }
    return out;
  }
}
