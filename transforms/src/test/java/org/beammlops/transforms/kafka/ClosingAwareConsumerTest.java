package org.beammlops.transforms.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.junit.jupiter.api.Test;

/** The one commit failure the pipelines' consumer gives up quietly, and only that one. */
class ClosingAwareConsumerTest {
  private static final Map<TopicPartition, OffsetAndMetadata> OFFSETS =
      Map.of(new TopicPartition("t", 0), new OffsetAndMetadata(42));

  private static Map<String, Object> config(String group) {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", "127.0.0.1:1"); // nothing listens: no commit can land
    config.put("request.timeout.ms", 2000);
    config.put("default.api.timeout.ms", 3000);
    if (group != null) {
      config.put("group.id", group);
    }
    return config;
  }

  @Test
  void aCommitInterruptedByTheReaderClosingIsGivenUpWithoutAnError() {
    long before = ClosingAwareConsumer.interruptedCommits();
    try (ClosingAwareConsumer consumer = new ClosingAwareConsumer(config("g"))) {
      consumer.wakeup(); // what Beam's reader does in close()
      consumer.commitSync(OFFSETS);
      consumer.wakeup();
      consumer.commitSync(OFFSETS);
    }
    assertEquals(before + 2, ClosingAwareConsumer.interruptedCommits());
  }

  @Test
  void anyOtherCommitFailureStillReachesTheReader() {
    long before = ClosingAwareConsumer.interruptedCommits();
    try (ClosingAwareConsumer consumer = new ClosingAwareConsumer(config(null))) {
      assertThrows(InvalidGroupIdException.class, () -> consumer.commitSync(OFFSETS));
    }
    assertEquals(before, ClosingAwareConsumer.interruptedCommits());
  }
}
