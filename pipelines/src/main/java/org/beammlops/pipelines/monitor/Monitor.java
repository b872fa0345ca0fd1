package org.beammlops.pipelines.monitor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.tracking.RegisteredModelVersion;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running monitor: a {@link MonitorFeed} reading the topics, a check of the broker and a poll
 * of the registry on a timer, and one HTTP server for the dashboard ({@code /}, {@code /panel}),
 * the Prometheus endpoint ({@code /metrics}, Prometheus' own handler over a registry holding only
 * {@link MonitorMetrics}) and {@code /health}.
 */
public final class Monitor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Monitor.class);

  /** What a monitor needs: the use case, where the broker and tracking server are, its address. */
  public record Settings(
      UseCase useCase,
      String bootstrapServers,
      TrackingSettings tracking,
      String host,
      int port,
      int refreshSeconds,
      int registryPollSeconds,
      int historyWindows,
      String driftDir) {}

  private final Settings settings;
  private final MonitorState state;
  private final MonitorFeed feed;
  private final Admin admin;
  private final TrackingClient tracking;
  private final ScheduledExecutorService timers;
  private final ExecutorService http;
  private final HttpServer server;
  private volatile List<DriftReports.Listed> driftReports = List.of();

  private Monitor(Settings settings) throws IOException {
    this.settings = settings;
    this.state = new MonitorState(settings.historyWindows());
    this.feed = new MonitorFeed(settings.bootstrapServers(), settings.useCase(), state);
    this.admin = MonitorFeed.admin(settings.bootstrapServers());
    this.tracking = TrackingClient.create(settings.tracking().config());
    this.timers =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "monitor-timer");
              t.setDaemon(true);
              return t;
            });
    this.http = Executors.newFixedThreadPool(4);
    Supplier<MonitorState.Snapshot> snapshots = state::snapshot;
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new MonitorMetrics(settings.useCase(), snapshots));
    DashboardPage page =
        new DashboardPage(
            settings.useCase(), settings.tracking().trackingUri(), settings.refreshSeconds());
    this.server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 0);
    server.createContext("/metrics", new MetricsHandler(registry));
    server.createContext("/health", ex -> send(ex, 200, "text/plain", "ok\n"));
    DriftReports reports = new DriftReports(settings.driftDir());
    server.createContext(
        "/panel", ex -> send(ex, 200, "text/html", page.panel(state.snapshot(), driftReports)));
    server.createContext(
        "/drift/",
        ex -> {
          // /drift/<runId>/report.html, nothing else
          String[] parts = ex.getRequestURI().getPath().split("/");
          var file =
              parts.length == 4 && parts[3].equals("report.html")
                  ? reports.html(parts[2])
                  : java.util.Optional.<java.nio.file.Path>empty();
          if (file.isPresent()) {
            send(ex, 200, "text/html", java.nio.file.Files.readString(file.get()));
          } else {
            send(ex, 404, "text/plain", "no such drift report\n");
          }
        });
    server.createContext(
        "/",
        ex -> {
          if (ex.getRequestURI().getPath().equals("/")) {
            send(ex, 200, "text/html", page.shell());
          } else {
            send(ex, 404, "text/plain", "not found: " + ex.getRequestURI().getPath() + "\n");
          }
        });
    server.setExecutor(http);
  }

  /** Starts a monitor; it serves at once, with whatever it has read so far. */
  public static Monitor start(Settings settings) {
    try {
      Monitor monitor = new Monitor(settings);
      monitor.server.start();
      monitor.feed.start();
      monitor.timers.scheduleWithFixedDelay(
          () -> MonitorFeed.checkBroker(monitor.admin, monitor.state), 0, 3, TimeUnit.SECONDS);
      monitor.timers.scheduleWithFixedDelay(
          monitor::readRegistry, 0, settings.registryPollSeconds(), TimeUnit.SECONDS);
      DriftReports reports = new DriftReports(settings.driftDir());
      monitor.timers.scheduleWithFixedDelay(
          () -> monitor.driftReports = reports.newest(20),
          0,
          settings.registryPollSeconds(),
          TimeUnit.SECONDS);
      LOG.info("monitor of {} serving on {}", settings.useCase().name(), monitor.url());
      return monitor;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot serve the monitor on " + settings.host() + ":" + settings.port() + ": " + e, e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The dashboard's address. */
  public String url() {
    return "http://" + settings.host() + ":" + port() + "/";
  }

  MonitorState.Snapshot snapshot() {
    return state.snapshot();
  }

  /** The registered versions of the use case's models, newest first; kept as they were on error. */
  private void readRegistry() {
    MonitorState.Registry before = state.snapshot().registry();
    try {
      Map<String, List<MonitorState.Version>> models = new LinkedHashMap<>();
      for (Task task : settings.useCase().tasks()) {
        String name = settings.useCase().modelName(task);
        if (models.containsKey(name)) {
          continue;
        }
        List<MonitorState.Version> versions = new ArrayList<>();
        for (RegisteredModelVersion v : tracking.searchModelVersions("name='" + name + "'", 200)) {
          versions.add(
              new MonitorState.Version(
                  v.version(),
                  v.aliases(),
                  v.runId(),
                  v.creationTimestamp() > 0 ? Instant.ofEpochMilli(v.creationTimestamp()) : null));
        }
        versions.sort(Comparator.comparingLong(MonitorState.Version::version).reversed());
        if (!versions.isEmpty()) {
          models.put(name, List.copyOf(versions));
        }
      }
      state.registry(new MonitorState.Registry(models, Instant.now(), null));
    } catch (RuntimeException e) {
      state.registry(
          new MonitorState.Registry(
              before.models(), before.readAt(), "registry unreachable: " + e.getMessage()));
    }
  }

  private static void send(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    http.shutdownNow();
    timers.shutdownNow();
    try {
      feed.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.close(java.time.Duration.ofSeconds(2));
    tracking.close();
  }
}
