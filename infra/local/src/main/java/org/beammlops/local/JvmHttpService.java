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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A component of the local stack that is one HTTP server in a JVM of its own, detached like the
 * broker, with its pid, URL and log under its state dir: the tracking server and the monitor. It
 * belongs to a state dir when its command line carries that dir's marker, and is healthy when
 * {@code GET <url>/health} answers 200.
 */
abstract class JvmHttpService implements LocalService {
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  static final Duration STOP_GRACE = Duration.ofSeconds(15);

  /** The files of a service under its state dir. */
  record Files(Path dir) {
    Path pidFile() {
      return dir.resolve("server.pid");
    }

    /** The URL the running server was started with, so status and down use its real port. */
    Path urlFile() {
      return dir.resolve("server.url");
    }

    /** The server JVM's stdout and stderr. */
    Path log() {
      return dir.resolve("server.log");
    }
  }

  private final Files settings;
  private final int port;
  private final String classpath;
  private final String maxHeap;

  JvmHttpService(Path dir, int port, String classpath, String maxHeap) {
    this.settings = new Files(dir);
    this.port = port;
    this.classpath = classpath;
    this.maxHeap = maxHeap;
  }

  /** The environment variable {@code local.env} gets with the server's URL. */
  abstract String envKey();

  /** The option or variable that chooses another port, for the message when this one is taken. */
  abstract String portHint();

  /** The main class and its arguments for a server on {@code port}. */
  abstract List<String> mainAndArguments(int port);

  /** What {@code started} and {@code status} add after the pid and URL. */
  abstract String detail();

  String url(int onPort) {
    return "http://127.0.0.1:" + onPort;
  }

  /** The pid of this state dir's running server, if one runs. */
  public Optional<Long> pid() {
    return find().map(ProcessHandle::pid);
  }

  @Override
  public void up(PrintStream out) {
    try (StateLock lock = StateLock.acquire(settings.dir())) {
      Optional<ProcessHandle> running = find();
      int s = current();
      if (running.isPresent()) {
        if (!awaitHealthy(url(s), START_TIMEOUT, running.get()::isAlive)) {
          throw new LocalStackException(
              String.format(
                  "%s: server pid=%d runs but does not answer on %s; run down, then up (log: %s)",
                  name(), running.get().pid(), url(s), settings.log()));
        }
        out.printf("%s: already running pid=%d url=%s%n", name(), running.get().pid(), url(s));
        out.println(name() + ": url=" + url(s));
        return;
      }
      start(out);
    }
  }

  private void start(PrintStream out) {
    deleteQuietly(settings.pidFile());
    if (!Ports.isFree(port)) {
      throw new LocalStackException(
          String.format(
              "%s: port %d on 127.0.0.1 is already in use by another process; stop it or choose"
                  + " another port with %s",
              name(), port, portHint()));
    }
    long t0 = System.nanoTime();
    Process process = spawn();
    writeText(settings.pidFile(), process.pid() + "\n");
    writeText(settings.urlFile(), url(port) + "\n");
    boolean ready =
        awaitHealthy(url(port), START_TIMEOUT, () -> process.isAlive() || find().isPresent());
    if (!ready) {
      String why =
          process.isAlive()
              ? "did not answer on " + url(port) + " within " + START_TIMEOUT.toSeconds() + "s"
              : "exited with code " + process.exitValue();
      all().forEach(h -> stop(h, Duration.ofSeconds(5)));
      deleteQuietly(settings.pidFile());
      throw new LocalStackException(
          String.format(
              "%s: server %s; last lines of %s:%n%s",
              name(), why, settings.log(), Logs.tail(settings.log(), 20, System.lineSeparator())));
    }
    ProcessHandle server =
        process.isAlive() ? process.toHandle() : find().orElse(process.toHandle());
    writeText(settings.pidFile(), server.pid() + "\n");
    out.printf(
        "%s: started pid=%d in %.1fs (%s)%n",
        name(), server.pid(), (System.nanoTime() - t0) / 1e9, detail());
    out.println(name() + ": url=" + url(port));
  }

  @Override
  public void down(PrintStream out) {
    if (!java.nio.file.Files.isDirectory(settings.dir()) && all().isEmpty()) {
      out.println(name() + ": not running");
      return;
    }
    try (StateLock lock = StateLock.acquire(settings.dir())) {
      List<ProcessHandle> servers = all();
      if (servers.isEmpty()) {
        deleteQuietly(settings.pidFile());
        out.println(name() + ": not running");
        return;
      }
      int s = current();
      for (ProcessHandle server : servers) {
        long t0 = System.nanoTime();
        boolean killed = stop(server, STOP_GRACE);
        out.printf(
            "%s: stopped pid=%d in %.1fs%s%n",
            name(),
            server.pid(),
            (System.nanoTime() - t0) / 1e9,
            killed ? " (killed: no exit within " + STOP_GRACE.toSeconds() + "s of SIGTERM)" : "");
      }
      deleteQuietly(settings.pidFile());
      if (!Ports.awaitFree(List.of(s), Duration.ofSeconds(15))) {
        throw new LocalStackException(
            name() + ": server stopped but port " + s + " is still in use");
      }
    }
  }

  @Override
  public ServiceStatus status() {
    Optional<ProcessHandle> server = find();
    if (server.isEmpty()) {
      return ServiceStatus.stopped(name());
    }
    int s = current();
    String where = "pid=" + server.get().pid() + " url=" + url(s);
    if (!healthy(url(s))) {
      return new ServiceStatus(
          name(),
          ServiceStatus.State.UNHEALTHY,
          where + " (not answering; see " + settings.log() + ")",
          Map.of());
    }
    return new ServiceStatus(
        name(), ServiceStatus.State.RUNNING, where + " " + detail(), Map.of(envKey(), url(s)));
  }

  // status and down look at the port the server was started with, not today's options.
  private int current() {
    try {
      String url =
          java.nio.file.Files.readString(settings.urlFile(), StandardCharsets.UTF_8).trim();
      return URI.create(url).getPort();
    } catch (IOException | IllegalArgumentException e) {
      return port;
    }
  }

  // ---------------------------------------------------------------- the server process

  private String marker() {
    return "-Dmlops.local." + name() + "=" + settings.dir();
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
    command.add("-Xmx" + maxHeap);
    command.add("-XX:+UseSerialGC");
    command.add("-Djava.awt.headless=true");
    command.add("-cp");
    command.add(classpath);
    command.addAll(mainAndArguments(port));
    try {
      java.nio.file.Files.createDirectories(settings.dir());
      return new ProcessBuilder(command)
          .directory(settings.dir().toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(settings.log().toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
    } catch (IOException e) {
      throw new LocalStackException(name() + ": cannot start " + command.get(0) + ": " + e, e);
    }
  }

  /** SIGTERM (the server closes its store cleanly), SIGKILL after {@code grace}. */
  private boolean stop(ProcessHandle h, Duration grace) {
    h.destroy();
    if (BrokerProcess.awaitExit(h, grace)) {
      return false;
    }
    h.destroyForcibly();
    if (!BrokerProcess.awaitExit(h, Duration.ofSeconds(10))) {
      throw new LocalStackException(name() + ": pid " + h.pid() + " survived SIGKILL");
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
      java.nio.file.Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      java.nio.file.Files.writeString(tmp, text, StandardCharsets.UTF_8);
      java.nio.file.Files.move(
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
      java.nio.file.Files.deleteIfExists(file);
    } catch (IOException e) {
      // best effort
    }
  }
}
