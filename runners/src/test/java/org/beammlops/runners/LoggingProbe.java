package org.beammlops.runners;

import java.util.Map;
import org.slf4j.LoggerFactory;

/** A stand-in for a command: sets logging up as the launcher does, then logs as libraries do. */
public final class LoggingProbe {
  private LoggingProbe() {}

  public static void main(String[] args) {
    Logging logging;
    try {
      logging = Logging.setUp("probe", args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    LoggerFactory.getLogger("org.apache.kafka.clients.Probe").info("kafka says hello");
    java.util.logging.Logger.getLogger("org.tribuo.Probe").info("tribuo says hello");
    System.err.println("probe: a progress line");
    System.out.println(
        Map.of("args", String.join(" ", logging.args()), "log", String.valueOf(logging.logFile())));
  }
}
