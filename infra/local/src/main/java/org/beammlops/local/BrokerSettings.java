package org.beammlops.local;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Everything needed to start the local broker and where its state lives, kept in one value so the
 * command line, the environment and tests configure it the same way.
 *
 * @param home the state dir ({@code --home}, {@code MLOPS_HOME} or {@code ./.mlops})
 * @param port the PLAINTEXT port clients use
 * @param controllerPort the KRaft CONTROLLER port
 * @param partitions partitions of the use-case topics created by {@code up}
 * @param useCases use cases whose topics {@code up} creates; empty means every known one
 * @param classpath the broker JVM's class path (needs kafka_2.13 and an slf4j binding)
 * @param maxHeap the broker JVM's {@code -Xmx} value, e.g. {@code 512m}
 */
public record BrokerSettings(
    Path home,
    int port,
    int controllerPort,
    int partitions,
    List<String> useCases,
    String classpath,
    String maxHeap) {

  public static final int DEFAULT_PORT = 9092;
  public static final int DEFAULT_CONTROLLER_PORT = 9093;
  public static final int DEFAULT_PARTITIONS = 4;
  public static final String DEFAULT_MAX_HEAP = "512m";

  public BrokerSettings {
    home = home.toAbsolutePath().normalize();
    classpath = absolute(classpath);
    useCases = List.copyOf(useCases);
  }

  /**
   * The class path of this JVM, or system property {@code mlops.local.classpath} when set (tests
   * under Surefire set it because there {@code java.class.path} is a temporary manifest jar).
   */
  public static String currentClasspath() {
    return System.getProperty("mlops.local.classpath", System.getProperty("java.class.path"));
  }

  public Path kafkaDir() {
    return home.resolve("kafka");
  }

  public Path serverProperties() {
    return kafkaDir().resolve("server.properties");
  }

  public Path dataDir() {
    return kafkaDir().resolve("data");
  }

  public Path logsDir() {
    return kafkaDir().resolve("logs");
  }

  public Path pidFile() {
    return kafkaDir().resolve("broker.pid");
  }

  public Path brokerLog() {
    return kafkaDir().resolve("broker.log");
  }

  public Path clusterIdFile() {
    return kafkaDir().resolve("cluster.id");
  }

  public Path log4jProperties() {
    return kafkaDir().resolve("log4j.properties");
  }

  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  /** The same settings with the ports a broker of this state dir was last started with. */
  public BrokerSettings withPorts(int newPort, int newControllerPort) {
    return new BrokerSettings(
        home, newPort, newControllerPort, partitions, useCases, classpath, maxHeap);
  }

  // The broker runs in its own working directory, so relative entries would point nowhere.
  private static String absolute(String classpath) {
    return Arrays.stream(classpath.split(File.pathSeparator))
        .filter(entry -> !entry.isBlank())
        .map(entry -> Path.of(entry).toAbsolutePath().normalize().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }
}
