package org.beammlops.pipelines.monitor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.tracking.TrackingSettings;

/**
 * {@code ./mlops monitor}: serves the dashboard and {@code /metrics} of one use case until stopped
 * (Ctrl-C, SIGTERM from {@code ./mlops local down}, or {@code --runSeconds}), then reports what it
 * read; with {@code --writeMonitoringFiles} it writes the Grafana dashboard and the alerting rules
 * instead.
 */
public final class MonitorCommand {
  private MonitorCommand() {}

  public static Map<String, Object> run(MonitorOptions options) {
    UseCase useCase = UseCases.loadOrDefault(options.getUseCase());
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("useCase", useCase.name());
    if (options.getWriteMonitoringFiles() != null) {
      Duration period = period(options.getPeriod());
      List<Path> files =
          MonitoringFiles.write(useCase, period, Path.of(options.getWriteMonitoringFiles()));
      report.put("files", files.stream().map(Path::toString).toList());
      return report;
    }
    if (options.getRefreshSeconds() < 1 || options.getRegistryPollSeconds() < 1) {
      throw new IllegalArgumentException(
          "--refreshSeconds and --registryPollSeconds must be at least 1");
    }
    if (options.getHistoryWindows() < 1) {
      throw new IllegalArgumentException("--historyWindows must be at least 1");
    }
    Monitor monitor =
        Monitor.start(
            new Monitor.Settings(
                useCase,
                options.getBootstrapServers(),
                TrackingSettings.fromOptions(options),
                options.getHost(),
                options.getPort(),
                options.getRefreshSeconds(),
                options.getRegistryPollSeconds(),
                options.getHistoryWindows(),
                org.beammlops.transforms.lake.Lake.at(options.getLake(), useCase.name())
                    .driftDir()));
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(stopped::countDown, "monitor-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    System.err.println("monitor: url=" + monitor.url());
    System.err.println("monitor: metrics=" + monitor.url() + "metrics");
    try {
      if (options.getRunSeconds() > 0) {
        stopped.await(options.getRunSeconds(), TimeUnit.SECONDS);
      } else {
        stopped.await();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    MonitorState.Snapshot last = monitor.snapshot();
    monitor.close();
    report.put("url", monitor.url());
    report.put("messages", last.messages());
    report.put("unreadable", last.unreadable());
    report.put("windows", last.latest().size());
    report.put("alertsFiring", last.open().size());
    return report;
  }

  private static Duration period(String text) {
    try {
      Duration d = Duration.parse(text);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("--period must be positive, not " + text);
      }
      return d;
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException(
          "--period=" + text + " is not an ISO-8601 duration such as PT10M", e);
    }
  }
}
