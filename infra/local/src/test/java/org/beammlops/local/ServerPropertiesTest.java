package org.beammlops.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated broker config, checked without starting a broker. */
class ServerPropertiesTest {
  @TempDir Path home;

  @Test
  void rendersSingleNodeKraftConfig() throws Exception {
    BrokerSettings settings = settings(19092, 19093);
    Properties p = new Properties();
    p.load(new StringReader(ServerProperties.render(settings)));

    assertEquals("broker,controller", p.getProperty("process.roles"));
    assertEquals("1@127.0.0.1:19093", p.getProperty("controller.quorum.voters"));
    assertEquals(
        "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093", p.getProperty("listeners"));
    assertEquals("PLAINTEXT://127.0.0.1:19092", p.getProperty("advertised.listeners"));
    assertEquals(settings.dataDir().toString(), p.getProperty("log.dirs"));
    assertEquals("1", p.getProperty("offsets.topic.replication.factor"));
    assertEquals(String.valueOf(16 * 1024 * 1024), p.getProperty("message.max.bytes"));
  }

  @Test
  void readsBackThePortsTheBrokerWasStartedWith() {
    ServerProperties.write(settings(19092, 19093));

    BrokerSettings current = ServerProperties.withWrittenPorts(settings(9092, 9093));

    assertEquals(19092, current.port());
    assertEquals(19093, current.controllerPort());
  }

  @Test
  void keepsRequestedPortsWhenNothingWasWritten() {
    BrokerSettings current = ServerProperties.withWrittenPorts(settings(9092, 9093));

    assertEquals(9092, current.port());
    assertEquals(9093, current.controllerPort());
  }

  private BrokerSettings settings(int port, int controllerPort) {
    return new BrokerSettings(home, port, controllerPort, 4, List.of(), "relative/cp", "512m");
  }
}
