package org.beammlops.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives {@code up}, {@code status} and {@code down} against a real broker JVM, in order, because
 * each step depends on the state the previous one left (that is what is being tested).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStackCommandIT {
  private static final List<String> FLIGHTS_TOPICS =
      List.of(
          "flights.requests",
          "flights.predictions",
          "flights.feedback",
          "flights.dlq",
          "flights.metrics",
          "flights.alerts");
  private static final int RECORDS = 20;

  @TempDir static Path home;
  private static int port;
  private static int controllerPort;
  private static int trackingPort;
  private static KafkaBroker broker;
  private static long firstPid;

  @BeforeAll
  static void ports() throws IOException {
    // Under Surefire java.class.path is a manifest-only jar; the broker JVM needs the real one.
    System.setProperty(
        "mlops.local.classpath",
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    int[] free = freePorts(3);
    port = free[0];
    controllerPort = free[1];
    trackingPort = free[2];
    broker =
        new KafkaBroker(
            new BrokerSettings(
                home,
                port,
                controllerPort,
                4,
                List.of(),
                BrokerSettings.currentClasspath(),
                "512m"));
  }

  @AfterAll
  static void stopBroker() {
    run("down");
  }

  @Test
  @Order(1)
  void upStartsBrokerAndCreatesUseCaseTopics() throws Exception {
    CommandResult up = run("up");

    assertEquals(0, up.code(), up.toString());
    assertTrue(up.out().contains("kafka: started pid="), up.out());
    assertTrue(up.out().lines().toList().contains("kafka: bootstrap=" + bootstrap()), up.out());
    assertTrue(up.out().contains("tracking: started pid="), up.out());
    assertTrue(up.out().lines().toList().contains("tracking: url=" + trackingUrl()), up.out());
    // Without ./mlops (which passes the application's class path) the monitor says why it waits.
    assertTrue(
        up.out().contains("monitor: not started: the application's class path is unknown"),
        up.out());
    assertEquals(
        List.of(
            "# Written by ./mlops local: how to reach the running local stack.",
            "MLFLOW_TRACKING_URI=" + trackingUrl(),
            "MLOPS_KAFKA_BOOTSTRAP=" + bootstrap()),
        Files.readAllLines(home.resolve("local.env")));
    firstPid = broker.pid().orElseThrow();
    assertEquals(String.valueOf(firstPid), Files.readString(broker.settings().pidFile()).trim());
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
      Map<String, TopicDescription> topics =
          admin.describeTopics(FLIGHTS_TOPICS).allTopicNames().get(10, TimeUnit.SECONDS);
      assertEquals(new TreeSet<>(FLIGHTS_TOPICS), new TreeSet<>(topics.keySet()));
      topics.values().forEach(t -> assertEquals(4, t.partitions().size(), t.name()));
    }
  }

  @Test
  @Order(2)
  void plainClientsProduceAndConsume() throws Exception {
    TestClients.produce(bootstrap(), "flights.requests", records());

    List<ConsumerRecord<byte[], byte[]>> read =
        TestClients.consume(bootstrap(), "flights.requests", RECORDS, Duration.ofSeconds(30));

    assertEquals(keys(records()), keys(read));
  }

  @Test
  @Order(3)
  void acceptsTenMegabyteRecords() throws Exception {
    byte[] big = new byte[10 * 1024 * 1024];
    big[big.length - 1] = 42;
    TestClients.produce(bootstrap(), "flights.dlq", Map.of("big", big));

    List<ConsumerRecord<byte[], byte[]>> read =
        TestClients.consume(bootstrap(), "flights.dlq", 1, Duration.ofSeconds(30));

    assertEquals(1, read.size());
    assertEquals(big.length, read.get(0).value().length);
    assertEquals(42, read.get(0).value()[big.length - 1]);
  }

  @Test
  @Order(4)
  void upAgainKeepsTheOneBroker() throws Exception {
    CommandResult up = run("up", "kafka");

    assertEquals(0, up.code(), up.toString());
    assertTrue(up.out().contains("kafka: already running pid=" + firstPid), up.out());
    assertTrue(up.out().lines().toList().contains("kafka: bootstrap=" + bootstrap()), up.out());
    assertEquals(String.valueOf(firstPid), Files.readString(broker.settings().pidFile()).trim());
    assertEquals(
        List.of(firstPid),
        BrokerProcess.all(broker.settings()).stream().map(ProcessHandle::pid).toList());
  }

  @Test
  @Order(5)
  void statusReportsRunningBroker() {
    CommandResult status = run("status");

    assertEquals(0, status.code(), status.toString());
    List<String> lines = status.out().lines().toList();
    assertEquals(3, lines.size(), status.out());
    assertEquals(
        "kafka: running pid=" + firstPid + " bootstrap=" + bootstrap() + " topics=6", lines.get(0));
    assertTrue(lines.get(1).startsWith("tracking: running pid="), status.out());
    assertTrue(lines.get(1).contains(" url=" + trackingUrl() + " store="), status.out());
  }

  @Test
  @Order(6)
  void downStopsBrokerAndFreesPorts() {
    CommandResult down = run("down");

    assertEquals(0, down.code(), down.toString());
    assertTrue(down.out().startsWith("monitor: not running"), "last started, first stopped");
    assertTrue(down.out().contains("tracking: stopped pid="), down.out());
    assertTrue(down.out().contains("kafka: stopped pid=" + firstPid), down.out());
    assertFalse(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false));
    assertTrue(canBind(port), "client port still taken");
    assertTrue(canBind(controllerPort), "controller port still taken");
    assertFalse(Files.exists(broker.settings().pidFile()));
    assertFalse(Files.exists(home.resolve("local.env")));
    assertEquals(
        List.of("kafka: stopped", "tracking: stopped", "monitor: stopped"),
        run("status").out().lines().toList());
  }

  @Test
  @Order(7)
  void downAgainIsHarmless() {
    CommandResult down = run("down", "kafka");

    assertEquals(0, down.code(), down.toString());
    assertEquals("kafka: not running", down.out().strip());
    assertEquals("tracking: not running", run("down", "tracking").out().strip());
  }

  @Test
  @Order(8)
  void restartKeepsRecords() {
    CommandResult up = run("up");
    assertEquals(0, up.code(), up.toString());
    assertTrue(up.out().contains("0 created, 6 existed"), up.out());

    List<ConsumerRecord<byte[], byte[]>> read =
        TestClients.consume(bootstrap(), "flights.requests", RECORDS, Duration.ofSeconds(30));

    assertEquals(keys(records()), keys(read));
  }

  @Test
  @Order(9)
  void upFailsClearlyWhenThePortIsTaken(@TempDir Path otherHome) throws IOException {
    int[] free = freePorts(3);
    try (ServerSocket squatter = new ServerSocket()) {
      squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), free[0]));

      CommandResult up =
          run(
              "up",
              "--home=" + otherHome,
              "--port=" + free[0],
              "--controller-port=" + free[1],
              "--tracking-port=" + free[2]);

      assertEquals(1, up.code(), up.toString());
      assertEquals(
          "error: kafka: port "
              + free[0]
              + " on 127.0.0.1 is already in use by another process; stop it or choose other"
              + " ports with --port/--controller-port (or MLOPS_KAFKA_PORT)",
          up.err().strip());
      assertFalse(up.out().contains("bootstrap="), up.out());
      assertFalse(Files.exists(otherHome.resolve("kafka/broker.pid")));
    }
  }

  @Test
  @Order(10)
  void usageErrorsExitWithTwo() {
    CommandResult unknownComponent = run("up", "zookeeper");
    CommandResult unknownUseCase = run("up", "--use-case=nope");
    CommandResult noCommand = run();

    assertEquals(2, unknownComponent.code());
    assertEquals(
        "error: Unknown component 'zookeeper'. Known components: kafka, tracking, monitor (see --help)",
        unknownComponent.err().strip());
    assertEquals(2, unknownUseCase.code());
    assertTrue(
        unknownUseCase.err().startsWith("error: Unknown use case 'nope'"), unknownUseCase.err());
    assertEquals(2, noCommand.code());
  }

  private static String bootstrap() {
    return "127.0.0.1:" + port;
  }

  private static String trackingUrl() {
    return "http://127.0.0.1:" + trackingPort;
  }

  private static Map<String, byte[]> records() {
    Map<String, byte[]> records = new LinkedHashMap<>();
    for (int i = 0; i < RECORDS; i++) {
      records.put("key-" + i, ("value-" + i).getBytes(StandardCharsets.UTF_8));
    }
    return records;
  }

  private static Set<String> keys(Map<String, byte[]> records) {
    return new TreeSet<>(records.keySet());
  }

  private static Set<String> keys(List<ConsumerRecord<byte[], byte[]>> records) {
    Set<String> keys = new TreeSet<>();
    records.forEach(r -> keys.add(new String(r.key(), StandardCharsets.UTF_8)));
    return keys;
  }

  private static boolean canBind(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int[] freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  /** Runs the command with this test's state dir and ports unless the arguments name others. */
  private static CommandResult run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (args.length > 0 && all.stream().noneMatch(a -> a.startsWith("--home"))) {
      all.addAll(
          List.of(
              "--home=" + home,
              "--port=" + port,
              "--controller-port=" + controllerPort,
              "--tracking-port=" + trackingPort));
    }
    return CommandResult.of(all.toArray(String[]::new));
  }
}
