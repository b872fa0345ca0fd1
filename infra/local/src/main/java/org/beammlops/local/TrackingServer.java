package org.beammlops.local;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.beammlops.local.tracking.TrackingServerMain;

/**
 * The local MLflow-compatible tracking and registry server ({@link TrackingServerMain}) as a
 * component of the local stack: its own JVM, detached like the broker, state under {@code
 * <home>/tracking} (MLflow's file store in {@code mlruns/}), so runs and models survive {@code
 * down} and {@code up}. It belongs to a state dir when its command line carries that dir's marker.
 */
public final class TrackingServer implements LocalService {
  public static final String NAME = "tracking";
  public static final String ENV_URI = "MLFLOW_TRACKING_URI";
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  static final Duration STOP_GRACE = Duration.ofSeconds(15);

  private final TrackingSettings settings;

  public TrackingServer(TrackingSettings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return NAME;
  }

  public TrackingSettings settings() {
    return settings;
  }

  /** The pid of this state dir's running server, if one runs. */
  public Optional<Long> pid() {
    return find().map(ProcessHandle::pid);
  }

  @Override
  public void up(PrintStream out) {
    try (StateLock lock = StateLock.acquire(settings.dir())) {
      Optional<ProcessHandle> running = find();
      TrackingSettings s = current();
      if (running.isPresent()) {
        if (!awaitHealthy(s.url(), START_TIMEOUT, running.get()::isAlive)) {
          throw new LocalStackException(
              String.format(
                  "%s: server pid=%d runs but does not answer on %s; run down, then up (log: %s)",
                  NAME, running.get().pid(), s.url(), settings.log()));
        }
        out.printf("%s: already running pid=%d url=%s%n", NAME, running.get().pid(), s.url());
        out.println(NAME + ": url=" + s.url());
        return;
      }
      start(out);
    }
  }

  private void start(PrintStream out) {
    deleteQuietly(settings.pidFile());
    if (!Ports.isFree(settings.port())) {
      throw new LocalStackException(
          String.format(
              "%s: port %d on 127.0.0.1 is already in use by another process; stop it or choose"
                  + " another port with --tracking-port (or MLOPS_TRACKING_PORT)",
              NAME, settings.port()));
    }
    long t0 = System.nanoTime();
    Process process = spawn();
    writeText(settings.pidFile(), process.pid() + "\n");
    writeText(settings.urlFile(), settings.url() + "\n");
    boolean ready =
        awaitHealthy(settings.url(), START_TIMEOUT, () -> process.isAlive() || find().isPresent());
    if (!ready) {
      String why =
          process.isAlive()
              ? "did not answer on " + settings.url() + " within " + START_TIMEOUT.toSeconds() + "s"
              : "exited with code " + process.exitValue();
      all().forEach(h -> stop(h, Duration.ofSeconds(5)));
      deleteQuietly(settings.pidFile());
      throw new LocalStackException(
          String.format(
              "%s: server %s; last lines of %s:%n%s",
              NAME, why, settings.log(), Logs.tail(settings.log(), 20, System.lineSeparator())));
    }
    ProcessHandle server =
        process.isAlive() ? process.toHandle() : find().orElse(process.toHandle());
    writeText(settings.pidFile(), server.pid() + "\n");
    out.printf(
        "%s: started pid=%d in %.1fs (store: %s)%n",
        NAME, server.pid(), (System.nanoTime() - t0) / 1e9, settings.dir().resolve("mlruns"));
    out.println(NAME + ": url=" + settings.url());
  }

  @Override
  public void down(PrintStream out) {
    if (!Files.isDirectory(settings.dir()) && all().isEmpty()) {
      out.println(NAME + ": not running");
      return;
    }
    try (StateLock lock = StateLock.acquire(settings.dir())) {
      List<ProcessHandle> servers = all();
      if (servers.isEmpty()) {
        deleteQuietly(settings.pidFile());
        out.println(NAME + ": not running");
        return;
      }
      TrackingSettings s = current();
      for (ProcessHandle server : servers) {
        long t0 = System.nanoTime();
        boolean killed = stop(server, STOP_GRACE);
        out.printf(
            "%s: stopped pid=%d in %.1fs%s%n",
            NAME,
            server.pid(),
            (System.nanoTime() - t0) / 1e9,
            killed ? " (killed: no exit within " + STOP_GRACE.toSeconds() + "s of SIGTERM)" : "");
      }
      deleteQuietly(settings.pidFile());
      if (!Ports.awaitFree(List.of(s.port()), Duration.ofSeconds(15))) {
        throw new LocalStackException(
            NAME + ": server stopped but port " + s.port() + " is still in use");
      }
    }
  }

  @Override
  public ServiceStatus status() {
    Optional<ProcessHandle> server = find();
    if (server.isEmpty()) {
      return ServiceStatus.stopped(NAME);
    }
    TrackingSettings s = current();
    String where = "pid=" + server.get().pid() + " url=" + s.url();
    if (!healthy(s.url())) {
      return new ServiceStatus(
          NAME,
          ServiceStatus.State.UNHEALTHY,
          where + " (not answering; see " + settings.log() + ")",
          Map.of());
    }
    return new ServiceStatus(
        NAME,
        ServiceStatus.State.RUNNING,
        where + " store=" + settings.dir().resolve("mlruns"),
        Map.of(ENV_URI, s.url()));
  }

  // status and down look at the port the server was started with, not today's options.
  private TrackingSettings current() {
    try {
      String url = Files.readString(settings.urlFile(), StandardCharsets.UTF_8).trim();
      return settings.withPort(URI.create(url).getPort());
    } catch (IOException | IllegalArgumentException e) {
      return settings;
    }
  }

  // ---------------------------------------------------------------- the server process

  private String marker() {
    return "-Dmlops.local.tracking=" + settings.dir();
  }

  /** The running server of this state dir: the pid file's process, else one found by scanning. */
  Optional<ProcessHandle> find() {
    Optional<ProcessHandle> fromPidFile =
        BrokerProcess.readPid(settings.pidFile()).flatMap(ProcessHandle::of).filter(this::isOurs);
    return fromPidFile.isPresent() ? fromPidFile : all().stream().findFirst();
  }

  List<ProcessHandle> all() {
    return ProcessHandle.allProcesses().filter(this::isOurs).toList();
  }

  private boolean isOurs(ProcessHandle h) {
    return h.isAlive() && BrokerProcess.arguments(h).contains(marker());
  }

  private Process spawn() {
    List<String> command = new ArrayList<>(BrokerProcess.detach());
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add(marker());
    command.add("-Xms64m");
    command.add("-Xmx" + settings.maxHeap());
    command.add("-XX:+UseSerialGC");
    command.add("-Djava.awt.headless=true");
    command.add("-cp");
    command.add(settings.classpath());
    command.add(TrackingServerMain.class.getName());
    command.add("--root=" + settings.dir());
    command.add("--host=127.0.0.1");
    command.add("--port=" + settings.port());
    try {
      Files.createDirectories(settings.dir());
      return new ProcessBuilder(command)
          .directory(settings.dir().toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(settings.log().toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
    } catch (IOException e) {
      throw new LocalStackException(NAME + ": cannot start " + command.get(0) + ": " + e, e);
    }
  }

  /** SIGTERM (the server closes its store cleanly), SIGKILL after {@code grace}. */
  private static boolean stop(ProcessHandle h, Duration grace) {
    h.destroy();
    if (BrokerProcess.awaitExit(h, grace)) {
      return false;
    }
    h.destroyForcibly();
    if (!BrokerProcess.awaitExit(h, Duration.ofSeconds(10))) {
      throw new LocalStackException(NAME + ": pid " + h.pid() + " survived SIGKILL");
    }
    return true;
  }

  static boolean awaitHealthy(
      String url, Duration timeout, java.util.function.BooleanSupplier alive) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (healthy(url)) {
        return true;
      }
      if (!alive.getAsBoolean()) {
        return false;
      }
      Ports.pause(100);
    }
    return false;
  }

  /** True if {@code GET <url>/health} answers 200 within two seconds. */
  static boolean healthy(String url) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url + "/health"))
            .timeout(java.time.Duration.ofSeconds(2))
            .GET()
            .build();
    try {
      return HEALTH_CLIENT.send(request, HttpResponse.BodyHandlers.discarding()).statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The JDK's HTTP client, as the tracking client uses. */
  private static final HttpClient HEALTH_CLIENT =
      HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(2)).build();

  private static void writeText(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // best effort
    }
  }
}
