package org.beammlops.local;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts, finds and stops the broker JVM. A broker belongs to a state dir when its command line
 * names that dir's {@code server.properties}; checking this guards against a recycled pid, and
 * scanning for it finds a broker whose pid file was lost.
 */
final class BrokerProcess {
  static final String MAIN_CLASS = "kafka.Kafka";

  private BrokerProcess() {}

  /** The running broker of this state dir: the pid file's process, else one found by scanning. */
  static Optional<ProcessHandle> find(BrokerSettings s) {
    Optional<ProcessHandle> fromPidFile =
        readPid(s.pidFile()).flatMap(ProcessHandle::of).filter(h -> isBroker(h, s));
    if (fromPidFile.isPresent()) {
      return fromPidFile;
    }
    return all(s).stream().findFirst();
  }

  /** Every live broker process started for this state dir (normally zero or one). */
  static List<ProcessHandle> all(BrokerSettings s) {
    return ProcessHandle.allProcesses().filter(h -> isBroker(h, s)).toList();
  }

  static boolean isBroker(ProcessHandle h, BrokerSettings s) {
    if (!h.isAlive()) {
      return false;
    }
    String config = s.serverProperties().toString();
    List<String> args = arguments(h);
    return args.contains(marker(s)) || (args.contains(MAIN_CLASS) && args.contains(config));
  }

  // ProcessHandle.Info gives no arguments on Linux once the command line passes 4 KiB, as ours
  // does with its class path, so read /proc directly and fall back to Info elsewhere.
  static List<String> arguments(ProcessHandle h) {
    Path cmdline = Path.of("/proc", String.valueOf(h.pid()), "cmdline");
    try {
      String text = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8);
      return List.of(text.split("\0"));
    } catch (IOException e) {
      return h.info().commandLine().map(line -> List.of(line.split(" "))).orElse(List.of());
    }
  }

  // Comes before the class path, so it survives truncated command lines too.
  private static String marker(BrokerSettings s) {
    return "-Dmlops.local.broker=" + s.serverProperties();
  }

  /** Spawns {@code java -cp <cp> kafka.Kafka server.properties}, detached from our session. */
  static Process start(BrokerSettings s) {
    List<String> command = new ArrayList<>(detach());
    command.addAll(javaCommand(s, marker(s), "-Xms128m", "-Xmx" + s.maxHeap()));
    command.add(MAIN_CLASS);
    command.add(s.serverProperties().toString());
    return spawn(command, s, s.brokerLog());
  }

  /** Formats the storage dir for KRaft in a separate JVM, since StorageTool may System.exit. */
  static void format(BrokerSettings s, String clusterId, Duration timeout) {
    List<String> command = new ArrayList<>(javaCommand(s, "-Xmx256m"));
    command.addAll(
        List.of(
            "kafka.tools.StorageTool",
            "format",
            "--ignore-formatted",
            "-t",
            clusterId,
            "-c",
            s.serverProperties().toString()));
    Path log = s.kafkaDir().resolve("format.log");
    Process p = spawn(command, s, log);
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new LocalStackException("kafka: formatting the storage timed out; see " + log);
      }
      if (p.exitValue() != 0) {
        throw new LocalStackException(
            "kafka: formatting the storage failed: " + Logs.tail(log, 5, " | "));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalStackException("kafka: interrupted while formatting the storage");
    }
  }

  /**
   * Stops a broker: SIGTERM for a controlled shutdown, then SIGKILL after {@code grace}.
   *
   * @return true if it needed SIGKILL
   */
  static boolean stop(ProcessHandle h, Duration grace) {
    h.destroy();
    if (awaitExit(h, grace)) {
      return false;
    }
    h.destroyForcibly();
    if (!awaitExit(h, Duration.ofSeconds(10))) {
      throw new LocalStackException("kafka: pid " + h.pid() + " survived SIGKILL");
    }
    return true;
  }

  static boolean awaitExit(ProcessHandle h, Duration timeout) {
    try {
      h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return !h.isAlive();
    } catch (java.util.concurrent.ExecutionException e) {
      return !h.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !h.isAlive();
    }
  }

  static Optional<Long> readPid(Path pidFile) {
    try {
      return Optional.of(Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  static void writePid(Path pidFile, long pid) {
    try {
      Path tmp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
      Files.writeString(tmp, pid + "\n", StandardCharsets.UTF_8);
      Files.move(
          tmp,
          pidFile,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> javaCommand(BrokerSettings s, String... jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(jvmOptions));
    command.add("-Djava.awt.headless=true");
    command.add("-Dkafka.logs.dir=" + s.logsDir());
    command.add("-Dlog4j.configuration=" + s.log4jProperties().toUri());
    command.add("-cp");
    command.add(s.classpath());
    return command;
  }

  private static Process spawn(List<String> command, BrokerSettings s, Path output) {
    try {
      Files.createDirectories(s.logsDir());
      return new ProcessBuilder(command)
          .directory(s.kafkaDir().toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
    } catch (IOException e) {
      throw new LocalStackException("kafka: cannot start " + command.get(0) + ": " + e, e);
    }
  }

  // A new session keeps Ctrl-C or the end of the launcher's process group from killing the broker.
  static List<String> detach() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "setsid"))) {
        return List.of(Path.of(dir, "setsid").toString());
      }
    }
    return List.of();
  }
}
