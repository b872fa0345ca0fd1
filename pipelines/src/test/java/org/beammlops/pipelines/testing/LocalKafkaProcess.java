package org.beammlops.pipelines.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.rules.ExternalResource;
import org.junit.rules.TemporaryFolder;

/**
 * A real Kafka broker in its own JVM, started and stopped with {@code ./mlops local up|down kafka}
 * (infra/local's launcher), so that a test can stop it and start it again on the same port and log
 * directory: a broker restart that clients see as such, which the in-JVM broker cannot give.
 */
public final class LocalKafkaProcess extends ExternalResource implements AutoCloseable {
  private static final String MAIN = "org.beammlops.local.LocalStackCommand";
  private final TemporaryFolder temp = new TemporaryFolder();
  private Path home;
  private int port;
  private int controllerPort;

  @Override
  protected void before() throws Throwable {
    temp.create();
    home = temp.newFolder("mlops-home").toPath();
    port = freePort();
    controllerPort = freePort();
    start();
  }

  @Override
  protected void after() {
    try {
      stop();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } finally {
      temp.delete();
    }
  }

  /** A running broker for a test that starts and stops it itself (close it when done). */
  public static LocalKafkaProcess started() throws Throwable {
    LocalKafkaProcess broker = new LocalKafkaProcess();
    broker.before();
    return broker;
  }

  @Override
  public void close() {
    after();
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** Starts the broker (again): same port, same data, so committed offsets and topics survive. */
  public void start() throws IOException {
    launcher("up");
  }

  /** Stops the broker process (SIGTERM, then kill after a grace period). */
  public void stop() throws IOException {
    launcher("down");
  }

  public void createTopics(int partitions, String... topics) throws Exception {
    KafkaTopics.create(bootstrapServers(), partitions, topics);
  }

  public List<ConsumerRecord<String, byte[]>> readAll(
      String topic, int expected, Duration timeout) {
    return KafkaTopics.readAll(bootstrapServers(), topic, expected, timeout);
  }

  private void launcher(String action) throws IOException {
    Path infra = Path.of("..", "infra", "local", "target").toAbsolutePath().normalize();
    Path classpathFile = infra.resolve("classpath.txt");
    if (!Files.isRegularFile(classpathFile)) {
      throw new IllegalStateException(
          classpathFile + " is missing: build infra/local first (mvn -pl infra/local install)");
    }
    String classpath =
        infra.resolve("classes")
            + java.io.File.pathSeparator
            + Files.readString(classpathFile).strip();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", classpath, MAIN));
    command.addAll(
        List.of(
            "--home=" + home,
            "--port=" + port,
            "--controller-port=" + controllerPort,
            "--partitions=1",
            "--use-case=flights",
            action,
            "kafka"));
    Path log = home.resolve("launcher.log");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    try {
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("'local " + action + " kafka' did not end in 120 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "'local " + action + " kafka' failed: " + Files.readString(log, StandardCharsets.UTF_8));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
