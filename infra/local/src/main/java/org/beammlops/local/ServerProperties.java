package org.beammlops.local;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * Writes the single-node KRaft {@code server.properties} and reads back the ports from it, so that
 * {@code status} and {@code down} look at the ports the broker really runs on, not the ones the
 * current command line asks for.
 */
final class ServerProperties {
  /** Large enough for 10 MB records plus batch overhead. */
  static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

  private ServerProperties() {}

  static String render(BrokerSettings s) {
    String host = "127.0.0.1";
    return String.join(
            "\n",
            "# Written by ./mlops local up at every start; edits are overwritten.",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@" + host + ":" + s.controllerPort(),
            "listeners=PLAINTEXT://"
                + host
                + ":"
                + s.port()
                + ",CONTROLLER://"
                + host
                + ":"
                + s.controllerPort(),
            "advertised.listeners=PLAINTEXT://" + host + ":" + s.port(),
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs=" + s.dataDir(),
            "num.partitions=1",
            "default.replication.factor=1",
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=true",
            "message.max.bytes=" + MAX_MESSAGE_BYTES,
            "replica.fetch.max.bytes=" + MAX_MESSAGE_BYTES,
            "")
        .replace("\\", "\\\\");
  }

  static void write(BrokerSettings s) {
    try {
      Files.createDirectories(s.kafkaDir());
      Files.writeString(s.serverProperties(), render(s));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The settings with the ports of the existing {@code server.properties}, if there is one. */
  static BrokerSettings withWrittenPorts(BrokerSettings s) {
    return read(s.serverProperties())
        .map(
            p ->
                s.withPorts(
                    port(p.getProperty("advertised.listeners"), s.port()),
                    port(p.getProperty("controller.quorum.voters"), s.controllerPort())))
        .orElse(s);
  }

  private static Optional<Properties> read(Path file) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      p.load(in);
      return Optional.of(p);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static int port(String endpoint, int fallback) {
    if (endpoint == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1).trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
