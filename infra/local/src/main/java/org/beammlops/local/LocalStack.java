package org.beammlops.local;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The services of {@code ./mlops local}, started in order and stopped in reverse. After each change
 * it rewrites {@code <home>/local.env} with the variables of the running services, so other
 * commands (and shells, via {@code source}) find them without being told ports.
 */
public final class LocalStack {
  public static final String ENV_FILE = "local.env";

  private final Path home;
  private final List<LocalService> services;

  public LocalStack(Path home, List<LocalService> services) {
    this.home = home.toAbsolutePath().normalize();
    this.services = List.copyOf(services);
  }

  public List<String> names() {
    return services.stream().map(LocalService::name).toList();
  }

  /** Starts the named services (all if {@code names} is empty). */
  public void up(List<String> names, PrintStream out) {
    try {
      select(names).forEach(service -> service.up(out));
    } finally {
      writeEnv();
    }
  }

  /** Stops the named services (all if {@code names} is empty), last started first. */
  public void down(List<String> names, PrintStream out) {
    List<LocalService> chosen = new ArrayList<>(select(names));
    Collections.reverse(chosen);
    try {
      chosen.forEach(service -> service.down(out));
    } finally {
      writeEnv();
    }
  }

  public List<ServiceStatus> status() {
    return services.stream().map(LocalService::status).toList();
  }

  /** Where the environment of the running services is written. */
  public Path envFile() {
    return home.resolve(ENV_FILE);
  }

  private List<LocalService> select(List<String> names) {
    if (names.isEmpty()) {
      return services;
    }
    for (String name : names) {
      if (!names().contains(name)) {
        throw new IllegalArgumentException(
            "Unknown component '" + name + "'. Known components: " + String.join(", ", names()));
      }
    }
    return services.stream().filter(service -> names.contains(service.name())).toList();
  }

  private void writeEnv() {
    Map<String, String> env = new TreeMap<>();
    status().forEach(status -> env.putAll(status.env()));
    try {
      if (env.isEmpty()) {
        Files.deleteIfExists(envFile());
        return;
      }
      StringBuilder text =
          new StringBuilder("# Written by ./mlops local: how to reach the running local stack.\n");
      env.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
      Files.createDirectories(home);
      Files.writeString(envFile(), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
