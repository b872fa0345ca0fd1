package org.beammlops.pipelines.monitor;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.beammlops.pipelines.common.MlopsOptions;
import org.beammlops.transforms.tracking.TrackingOptions;

/**
 * Options of {@code ./mlops monitor}. It is a service, not a pipeline, but it takes the same shared
 * options ({@code --useCase}, {@code --bootstrapServers}, the tracking server) so that it finds
 * what the pipelines wrote without being told twice.
 */
public interface MonitorOptions extends MlopsOptions, TrackingOptions {
  @Description("Address the monitor's HTTP server binds to (the dashboard and /metrics).")
  @Default.String("127.0.0.1")
  String getHost();

  void setHost(String value);

  @Description(
      "Port of the dashboard (/) and the Prometheus endpoint (/metrics); 0 picks a free one.")
  @Default.Integer(9470)
  int getPort();

  void setPort(int value);

  @Description("How often the dashboard fetches fresh content, in seconds.")
  @Default.Integer(2)
  int getRefreshSeconds();

  void setRefreshSeconds(int value);

  @Description("How often the monitor reads the registry (models, versions, aliases), in seconds.")
  @Default.Integer(10)
  int getRegistryPollSeconds();

  void setRegistryPollSeconds(int value);

  @Description("Windows kept per model version for the dashboard's curves.")
  @Default.Integer(500)
  int getHistoryWindows();

  void setHistoryWindows(int value);

  @Description(
      "Stop after this many seconds (0: run until Ctrl-C or SIGTERM, as ./mlops local up does).")
  @Default.Long(0)
  long getRunSeconds();

  void setRunSeconds(long value);

  @Description(
      "Write the use case's Grafana dashboard and Prometheus alerting rules to this directory and"
          + " exit, instead of serving.")
  String getWriteMonitoringFiles();

  void setWriteMonitoringFiles(String value);

  @Description(
      "Slide of the metrics pipeline's windows (its --period): a rule's forWindows becomes a"
          + " Prometheus 'for' of forWindows x period in the generated alerting rules.")
  @Default.String("PT10M")
  String getPeriod();

  void setPeriod(String value);
}
