package org.beammlops.pipelines.score;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.beammlops.pipelines.testing.EmbeddedKafka;
import org.beammlops.pipelines.testing.TrainedModel;
import org.beammlops.transforms.tracking.LocalTrackingServer;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingConfig;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A score job on the FlinkRunner whose workers find no {@code MLFLOW_TRACKING_*} in their
 * environment reaches a tracking server that requires basic auth, through what its options say: the
 * URI and the path of a credentials file. The workers load the champion and, polling the registry,
 * swap in the version promoted mid-run. The password appears nowhere in the job's options, their
 * display data or the log of the run.
 */
public class WorkerTrackingCredentialsIT {
  private static final String USER = "ada";
  private static final String SECRET = "w0rker-s3cret-9f2c";
  private static final String MODEL = "auth-flights-delay15";

  @ClassRule public static final EmbeddedKafka KAFKA = new EmbeddedKafka();
  @ClassRule public static final TemporaryFolder TEMP = new TemporaryFolder();
  private static LocalTrackingServer server;
  private static TrackingConfig admin;

  @BeforeClass
  public static void startServer() throws Exception {
    KAFKA.createTopics(1, "flights.dlq", "flights.alerts", "auth-in", "auth-out");
    Path model = TrainedModel.directory();
    server =
        LocalTrackingServer.startWithBasicAuth(TEMP.newFolder("mlruns").toPath(), USER, SECRET);
    admin = TrackingConfig.builder().trackingUri(server.url()).basicAuth(USER, SECRET).build();
    long v1 = TrainedModel.registerModelDir(admin, MODEL, model);
    try (TrackingClient tracking = TrackingClient.create(admin)) {
      tracking.setAlias(MODEL, "champion", v1);
    }
    TrainedModel.registerModelDir(admin, MODEL, model); // v2, promoted while the job runs
  }

  @AfterClass
  public static void stop() throws Exception {
    server.close();
  }

  @Test
  public void workersReachTheAuthenticatedServerThroughTheirOptionsAndNoSecretShows()
      throws Exception {
    assertTrue(
        "the workers' environment (this JVM's, on Flink [local]) has no MLFLOW_TRACKING_*",
        System.getenv().keySet().stream().noneMatch(k -> k.startsWith("MLFLOW_TRACKING_")));
    Path credentials =
        Files.writeString(
            TEMP.newFile("tracking.properties").toPath(),
            "username=" + USER + "\npassword=" + SECRET + "\n");
    ScoreOptions options =
        ScoringFixture.options(
            KAFKA.bootstrapServers(),
            server.url(),
            TEMP.newFolder("lake").toPath(),
            new String[] {
              "--runner=FlinkRunner",
              "--flinkMaster=[local]",
              "--parallelism=1",
              "--streaming=true",
              "--attachedMode=false"
            },
            "--trackingCredentialsFile=" + credentials,
            "--model=models:/" + MODEL + "@champion",
            "--pollIntervalSeconds=2",
            "--requestsTopic=auth-in",
            "--predictionsTopic=auth-out");

    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    System.setErr(new PrintStream(new Tee(stderr, log), true, StandardCharsets.UTF_8));
    List<String> versions = new ArrayList<>();
    try {
      PipelineResult job = ScoreCommand.start(options);
      List<byte[]> requests = ScoringFixture.requests(2000, "auth");
      try (KafkaProducer<String, byte[]> producer =
          ScoringFixture.producer(KAFKA.bootstrapServers())) {
        ScoringFixture.send(producer, "auth-in", requests.get(0));
        producer.flush();
        assertEquals(1, KAFKA.readAll("auth-out", 1, Duration.ofSeconds(120)).size());
        try (TrackingClient tracking = TrackingClient.create(admin)) {
          tracking.setAlias(MODEL, "champion", 2);
        }
        // Requests keep coming until one is scored by the promoted version: the workers' poll
        // of the registry authenticated too.
        long deadline = System.currentTimeMillis() + 90_000;
        int sent = 1;
        while (!versions.contains("2") && System.currentTimeMillis() < deadline) {
          ScoringFixture.send(producer, "auth-in", requests.get(sent++ % requests.size()));
          producer.flush();
          Thread.sleep(100);
          versions = versions(KAFKA.readAll("auth-out", sent, Duration.ofMillis(200)));
        }
      }
      ScoreCommand.stop(job);
    } finally {
      System.setErr(stderr);
    }
    assertTrue("scored by v1 first: " + versions, versions.get(0).equals("1"));
    assertTrue("then by the promoted v2: " + versions, versions.contains("2"));

    String json = new ObjectMapper().writeValueAsString(options);
    assertTrue(json, json.contains(credentials.toString()));
    assertFalse("no secret in the options", json.contains(SECRET));
    assertFalse("no secret in display data", DisplayData.from(options).toString().contains(SECRET));
    String logged = log.toString(StandardCharsets.UTF_8);
    assertTrue("the run logged (Flink, Kafka, Beam)", logged.length() > 1000);
    assertFalse("no secret in the log of the run", logged.contains(SECRET));
  }

  @Test
  public void theCredentialsAreWhatAuthenticates() throws Exception {
    Path wrong =
        Files.writeString(
            TEMP.newFile("wrong.properties").toPath(), "username=" + USER + "\npassword=nope-x\n");
    RuntimeException e =
        assertThrows(
            RuntimeException.class,
            () ->
                ScoreCommand.start(
                    ScoringFixture.options(
                        KAFKA.bootstrapServers(),
                        server.url(),
                        TEMP.newFolder("lake-wrong").toPath(),
                        ScoringFixture.directUnbounded(1),
                        "--trackingCredentialsFile=" + wrong,
                        "--model=models:/" + MODEL + "@champion")));
    String message = String.valueOf(e.getMessage()) + " " + e.getCause();
    assertTrue(message, message.contains("401"));
    assertFalse(message, message.contains("nope-x"));
  }

  private static List<String> versions(List<ConsumerRecord<String, byte[]>> predictions) {
    List<String> out = new ArrayList<>();
    predictions.forEach(r -> out.add(ScoringFixture.parse(r.value()).get("modelVersion").asText()));
    return out;
  }

  /** Writes to two streams: the test's own stderr and the buffer the test greps. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
