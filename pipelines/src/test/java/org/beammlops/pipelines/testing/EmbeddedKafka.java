package org.beammlops.pipelines.testing;

import java.time.Duration;
import java.util.List;
import kafka.testkit.KafkaClusterTestKit;
import kafka.testkit.TestKitNodes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.rules.ExternalResource;

/**
 * A real single-node KRaft Kafka broker inside the test JVM (Kafka's own KafkaClusterTestKit), as a
 * JUnit rule, with helpers to create topics and read them back.
 */
public final class EmbeddedKafka extends ExternalResource {
  private KafkaClusterTestKit cluster;

  @Override
  protected void before() throws Throwable {
    cluster =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("message.max.bytes", Integer.toString(16 << 20))
            .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
  }

  @Override
  protected void after() {
    try {
      cluster.close();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** Creates topics with the given partition count and waits until they exist. */
  public void createTopics(int partitions, String... topics) throws Exception {
    KafkaTopics.create(bootstrapServers(), partitions, topics);
  }

  /** Reads a topic from the beginning until {@code expected} records arrived or time ran out. */
  public List<ConsumerRecord<String, byte[]>> readAll(
      String topic, int expected, Duration timeout) {
    return KafkaTopics.readAll(bootstrapServers(), topic, expected, timeout);
  }
}
