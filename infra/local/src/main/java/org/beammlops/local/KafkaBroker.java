package org.beammlops.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.beammlops.schemas.usecase.UseCases;

/**
 * The local Kafka: one KRaft node (broker and controller) in its own JVM, so it outlives the {@code
 * ./mlops local up} that started it and behaves like a real deployment. Its state (data, logs, pid)
 * lives under {@code <home>/kafka}, so records survive {@code down} and {@code up}.
 */
public final class KafkaBroker implements LocalService {
  public static final String NAME = "kafka";
  public static final String ENV_BOOTSTRAP = "MLOPS_KAFKA_BOOTSTRAP";
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  static final Duration STOP_GRACE = Duration.ofSeconds(30);
  static final Duration PORTS_FREE_TIMEOUT = Duration.ofSeconds(15);

  private final BrokerSettings settings;

  public KafkaBroker(BrokerSettings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return NAME;
  }

  public BrokerSettings settings() {
    return settings;
  }

  /** The pid of this state dir's running broker, if one runs. */
  public Optional<Long> pid() {
    return BrokerProcess.find(current()).map(ProcessHandle::pid);
  }

  /** The topics {@code up} creates: those of the chosen use cases, or of every known one. */
  public List<String> useCaseTopics() {
    List<String> names = settings.useCases().isEmpty() ? UseCases.known() : settings.useCases();
    return names.stream()
        .flatMap(name -> UseCases.load(name).topics().all().stream())
        .distinct()
        .toList();
  }

  @Override
  public void up(PrintStream out) {
    try (StateLock lock = StateLock.acquire(settings.kafkaDir())) {
      Optional<ProcessHandle> running = BrokerProcess.find(current());
      if (running.isPresent()) {
        reuse(running.get(), out);
      } else {
        start(out);
      }
    }
  }

  @Override
  public void down(PrintStream out) {
    if (!Files.isDirectory(settings.kafkaDir()) && BrokerProcess.all(settings).isEmpty()) {
      out.println(NAME + ": not running");
      return;
    }
    try (StateLock lock = StateLock.acquire(settings.kafkaDir())) {
      BrokerSettings s = current();
      List<ProcessHandle> brokers = BrokerProcess.all(s);
      if (brokers.isEmpty()) {
        deletePidFile();
        out.println(NAME + ": not running");
        return;
      }
      for (ProcessHandle broker : brokers) {
        long t0 = System.nanoTime();
        boolean killed = BrokerProcess.stop(broker, STOP_GRACE);
        out.printf(
            "%s: stopped pid=%d in %.1fs%s%n",
            NAME,
            broker.pid(),
            seconds(t0),
            killed ? " (killed: no exit within " + STOP_GRACE.toSeconds() + "s of SIGTERM)" : "");
      }
      deletePidFile();
      List<Integer> ports = List.of(s.port(), s.controllerPort());
      if (!Ports.awaitFree(ports, PORTS_FREE_TIMEOUT)) {
        throw new LocalStackException(
            NAME + ": broker stopped but port(s) " + Ports.taken(ports) + " are still in use");
      }
    }
  }

  @Override
  public ServiceStatus status() {
    BrokerSettings s = current();
    Optional<ProcessHandle> broker = BrokerProcess.find(s);
    if (broker.isEmpty()) {
      return ServiceStatus.stopped(NAME);
    }
    String where = "pid=" + broker.get().pid() + " bootstrap=" + s.bootstrap();
    try (KafkaAdmin admin = new KafkaAdmin(s.bootstrap())) {
      Optional<Integer> topics =
          admin.answers(Duration.ofSeconds(3))
              ? admin.topicCount(Duration.ofSeconds(3))
              : Optional.empty();
      if (topics.isEmpty()) {
        return new ServiceStatus(
            NAME,
            ServiceStatus.State.UNHEALTHY,
            where + " (not answering; see " + s.logsDir() + ")",
            Map.of());
      }
      return new ServiceStatus(
          NAME,
          ServiceStatus.State.RUNNING,
          where + " topics=" + topics.get(),
          Map.of(ENV_BOOTSTRAP, s.bootstrap()));
    }
  }

  private void reuse(ProcessHandle broker, PrintStream out) {
    BrokerSettings s = current();
    if (!KafkaAdmin.awaitReady(s.port(), START_TIMEOUT, broker::isAlive)) {
      throw new LocalStackException(
          String.format(
              "%s: broker pid=%d of %s runs but does not answer on %s; run down, then up"
                  + " (logs: %s)",
              NAME, broker.pid(), s.home(), s.bootstrap(), s.logsDir()));
    }
    out.printf("%s: already running pid=%d bootstrap=%s%n", NAME, broker.pid(), s.bootstrap());
    createTopics(s, out);
    out.println(NAME + ": bootstrap=" + s.bootstrap());
  }

  private void start(PrintStream out) {
    deletePidFile();
    List<Integer> ports = List.of(settings.port(), settings.controllerPort());
    String taken = Ports.taken(ports);
    if (!taken.isEmpty()) {
      throw new LocalStackException(
          String.format(
              "%s: port %s on 127.0.0.1 is already in use by another process; stop it or choose"
                  + " other ports with --port/--controller-port (or MLOPS_KAFKA_PORT)",
              NAME, taken));
    }
    prepareStateDir();
    long t0 = System.nanoTime();
    Process process = BrokerProcess.start(settings);
    BrokerProcess.writePid(settings.pidFile(), process.pid());
    boolean ready =
        KafkaAdmin.awaitReady(
            settings.port(),
            START_TIMEOUT,
            () -> process.isAlive() || !BrokerProcess.all(settings).isEmpty());
    if (!ready) {
      throw failedStart(process);
    }
    // setsid may have forked: the broker is then a grandchild, found by its command line.
    ProcessHandle broker =
        process.isAlive()
            ? process.toHandle()
            : BrokerProcess.find(settings).orElseThrow(() -> failedStart(process));
    BrokerProcess.writePid(settings.pidFile(), broker.pid());
    out.printf(
        "%s: started pid=%d in %.1fs (state: %s)%n",
        NAME, broker.pid(), seconds(t0), settings.kafkaDir());
    createTopics(settings, out);
    out.println(NAME + ": bootstrap=" + settings.bootstrap());
  }

  private LocalStackException failedStart(Process process) {
    String why =
        process.isAlive()
            ? "did not answer on "
                + settings.bootstrap()
                + " within "
                + START_TIMEOUT.toSeconds()
                + "s"
            : "exited with code " + process.exitValue();
    BrokerProcess.all(settings).forEach(h -> BrokerProcess.stop(h, Duration.ofSeconds(10)));
    deletePidFile();
    return new LocalStackException(
        String.format(
            "%s: broker %s; last lines of %s (full log: %s):%n%s",
            NAME,
            why,
            settings.brokerLog(),
            settings.logsDir().resolve("server.log"),
            Logs.tail(settings.brokerLog(), 20, System.lineSeparator())));
  }

  private void createTopics(BrokerSettings s, PrintStream out) {
    List<String> topics = useCaseTopics();
    int created;
    try (KafkaAdmin admin = new KafkaAdmin(s.bootstrap())) {
      created = admin.createTopics(topics, settings.partitions(), Duration.ofSeconds(30));
    }
    out.printf(
        "%s: topics ready: %d created, %d existed (%s)%n",
        NAME, created, topics.size() - created, String.join(",", topics));
  }

  private void prepareStateDir() {
    try {
      Files.createDirectories(settings.dataDir());
      Files.createDirectories(settings.logsDir());
      ServerProperties.write(settings);
      try (InputStream in = KafkaBroker.class.getResourceAsStream("broker-log4j.properties")) {
        Files.write(settings.log4jProperties(), in.readAllBytes());
      }
      if (!Files.exists(settings.dataDir().resolve("meta.properties"))) {
        BrokerProcess.format(settings, clusterId(), Duration.ofSeconds(60));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // Generated once and kept, so a re-format (after the data dir was wiped) keeps the same id.
  private String clusterId() throws IOException {
    Path file = settings.clusterIdFile();
    if (Files.isRegularFile(file)) {
      return Files.readString(file).trim();
    }
    String id = Uuid.randomUuid().toString();
    Files.writeString(file, id + "\n");
    return id;
  }

  // status and down look at the ports the broker was started with, not today's options.
  private BrokerSettings current() {
    return ServerProperties.withWrittenPorts(settings);
  }

  private void deletePidFile() {
    try {
      Files.deleteIfExists(settings.pidFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
