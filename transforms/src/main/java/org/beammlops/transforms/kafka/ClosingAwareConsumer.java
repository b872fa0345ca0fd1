package org.beammlops.transforms.kafka;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka consumer the pipelines read with: a plain {@link KafkaConsumer} except for one harmless
 * race it keeps out of the terminal.
 *
 * <p>With {@code commitOffsetsInFinalize}, Beam's reader commits finalized offsets on its poll
 * thread; closing the reader calls {@code consumer.wakeup()}, and a commit in flight at that moment
 * fails with a {@link WakeupException} that Beam logs as a warning with a stack trace ("Could not
 * commit finalized checkpoint") on every stop. Nothing is lost: the offsets are those of a bundle
 * already durable downstream, and a restarted job re-reads from the last commit that did land,
 * which the pipelines' de-duplication absorbs. So that commit is given up quietly, logged once per
 * JVM at debug level with this reason; every other commit failure still reaches Beam as before.
 * Beam's reader only wakes its consumer to close it (or after a failed start, which fails anyway).
 */
public final class ClosingAwareConsumer extends KafkaConsumer<byte[], byte[]> {
  private static final Logger LOG = LoggerFactory.getLogger(ClosingAwareConsumer.class);
  private static final AtomicBoolean LOGGED = new AtomicBoolean();
  private static final AtomicLong INTERRUPTED = new AtomicLong();

  public ClosingAwareConsumer(Map<String, Object> config) {
    super(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
    try {
      super.commitSync(offsets);
    } catch (WakeupException e) {
      INTERRUPTED.incrementAndGet();
      if (LOGGED.compareAndSet(false, true)) {
        LOG.debug(
            "a commit of finalized offsets {} was interrupted by the reader closing"
                + " (consumer.wakeup()); harmless: those records' outputs are durable, and a restart"
                + " re-reads from the last landed commit, which de-duplication absorbs. Logged once.",
            offsets);
      }
    }
  }

  /** Commits given up because the reader was closing, in this JVM: what tests can observe. */
  static long interruptedCommits() {
    return INTERRUPTED.get();
  }
}
