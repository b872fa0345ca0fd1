package org.beammlops.pipelines.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.beammlops.pipelines.testing.FlightsTestData;
import org.beammlops.pipelines.testing.FlightsTestData.Flight;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.inference.LoadedModel;
import org.beammlops.transforms.inference.MlflowOnnxModelHandler;
import org.beammlops.transforms.inference.ModelOutput;
import org.beammlops.transforms.inference.ModelRef;
import org.beammlops.transforms.parse.KafkaPayloads;
import org.beammlops.transforms.parse.RecordParser;

/** Requests, a trained model and the offline answers the score pipeline must reproduce. */
final class ScoringFixture {
  static final ObjectMapper JSON = new ObjectMapper();

  private ScoringFixture() {}

  /**
   * DirectRunner options for a streaming job that a test starts, leaves running and stops: an
   * unbounded read (the DirectRunner runs a limited Kafka read as a bounded source), {@code run()}
   * returning at once, and the runner's immutability and encodability checks off (they double the
   * time).
   */
  static String[] directUnbounded(int targetParallelism) {
    return new String[] {
      "--runner=DirectRunner",
      "--enforceImmutability=false",
      "--enforceEncodability=false",
      "--targetParallelism=" + targetParallelism,
      "--blockOnRun=false"
    };
  }

  /** {@code n} valid JSON requests with ids {@code <prefix>-<i>}, from the sample's rows. */
  static List<byte[]> requests(int n, String prefix) throws Exception {
    List<Flight> flights = FlightsTestData.firstRows(Math.min(n, 100_000));
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ObjectNode node = (ObjectNode) JSON.readTree(flights.get(i % flights.size()).json());
      node.put("id", prefix + "-" + i);
      out.add(node.toString().getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  static KafkaProducer<String, byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("linger.ms", "5");
    p.put("max.request.size", Integer.toString(12 << 20));
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  static void send(KafkaProducer<String, byte[]> producer, String topic, byte[] payload) {
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, null, payload);
    record
        .headers()
        .add(KafkaPayloads.CONTENT_TYPE, KafkaPayloads.JSON.getBytes(StandardCharsets.UTF_8));
    producer.send(record);
  }

  /** Something a test does at a set time while requests are being sent. */
  interface Step {
    void run() throws Exception;
  }

  /**
   * Sends {@code requests} to {@code topic}, one every {@code pauseMillis} and each flushed (a
   * steady stream; a flush waits while the broker is away), and runs each step once when its time
   * (milliseconds after the first send) has come. Returns the wall-clock millis each step ran at.
   */
  static long[] sendSteadily(
      String bootstrap,
      String topic,
      List<byte[]> requests,
      long pauseMillis,
      long[] stepAtMillis,
      Step... steps)
      throws Exception {
    long[] ranAt = new long[steps.length];
    long begin = System.currentTimeMillis();
    try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
      for (byte[] request : requests) {
        long t = System.currentTimeMillis() - begin;
        for (int i = 0; i < steps.length; i++) {
          if (ranAt[i] == 0 && t >= stepAtMillis[i]) {
            steps[i].run();
            ranAt[i] = System.currentTimeMillis();
          }
        }
        send(producer, topic, request);
        producer.flush();
        Thread.sleep(pauseMillis);
      }
    }
    return ranAt;
  }

  /** What the model says of each valid request, computed outside any pipeline. */
  static Map<String, Double> offline(String trackingUri, ModelRef ref, List<byte[]> requests)
      throws Exception {
    RecordParser parser = new RecordParser(UseCases.load("flights"));
    List<GenericRecord> records = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      records.add(parser.fromJson(requests.get(i), "offline", i));
    }
    Map<String, Double> out = new HashMap<>();
    try (LoadedModel<GenericRecord, ModelOutput> model =
        MlflowOnnxModelHandler.of("flights", trackingUri).load(ref)) {
      for (int from = 0; from < records.size(); from += 1000) {
        List<GenericRecord> batch = records.subList(from, Math.min(records.size(), from + 1000));
        List<LoadedModel.Scored<ModelOutput>> scored = model.predict(batch);
        for (int i = 0; i < batch.size(); i++) {
          out.put(batch.get(i).get("id").toString(), scored.get(i).inference().value());
        }
      }
    }
    return out;
  }

  static ScoreOptions options(
      String bootstrap, String trackingUri, Path lake, String[] runner, String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(runner));
    all.add("--bootstrapServers=" + bootstrap);
    all.add("--trackingUri=" + trackingUri);
    all.add("--lake=" + lake);
    all.add("--task=delay15");
    all.add("--commitIntervalSeconds=2");
    all.addAll(Arrays.asList(args));
    Map<String, String> byName = new LinkedHashMap<>();
    for (String arg : all) {
      int eq = arg.indexOf('=');
      byName.put(eq < 0 ? arg : arg.substring(0, eq), arg);
    }
    PipelineOptionsFactory.register(ScoreOptions.class);
    ScoreOptions options =
        PipelineOptionsFactory.fromArgs(byName.values().toArray(String[]::new))
            .withValidation()
            .as(ScoreOptions.class);
    FileSystems.setDefaultPipelineOptions(options);
    return options;
  }

  static JsonNode parse(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
