package org.beammlops.transforms.kafka;

import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Timestamps a topic's messages with the event time in their payload, and advances the watermark
 * with it, guarded against a bad clock: a message more than {@code maxAhead} ahead of the
 * partition's latest accepted event time, or of the wall clock, does not move the watermark (it
 * would close every window at once) and is timestamped at that latest time instead, so that the
 * step that parses it sees the difference and rejects it. A message whose event time cannot be read
 * gets the latest time too and is rejected by its parser.
 *
 * <p>The watermark is the latest accepted event time less {@code maxDelay}; once the partition is
 * caught up it is the latest accepted event time itself, and a partition that never had a message
 * follows the wall clock less {@code maxDelay} (Beam's {@code
 * CustomTimestampPolicyWithLimitedDelay} does the same for idle partitions), so that it holds no
 * window back.
 */
public final class EventTimePolicy extends TimestampPolicy<byte[], byte[]> {
  private final SerializableFunction<byte[], Long> eventTime;
  private final Duration maxDelay;
  private final Duration maxAhead;
  private Instant latest;

  EventTimePolicy(
      SerializableFunction<byte[], Long> eventTime,
      Duration maxDelay,
      Duration maxAhead,
      Optional<Instant> previousWatermark) {
    this.eventTime = eventTime;
    this.maxDelay = maxDelay;
    this.maxAhead = maxAhead;
    this.latest = previousWatermark.map(w -> w.plus(maxDelay)).orElse(null);
  }

  /**
   * The factory KafkaIO takes: {@code eventTime} reads a payload's event time in epoch millis (null
   * when it cannot).
   */
  public static TimestampPolicyFactory<byte[], byte[]> factory(
      SerializableFunction<byte[], Long> eventTime, Duration maxDelay, Duration maxAhead) {
    return (TopicPartition partition, Optional<Instant> previousWatermark) ->
        new EventTimePolicy(eventTime, maxDelay, maxAhead, previousWatermark);
  }

  @Override
  public Instant getTimestampForRecord(PartitionContext ctx, KafkaRecord<byte[], byte[]> record) {
    Long millis = eventTime.apply(record.getKV().getValue());
    if (millis == null
        || millis < BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis()
        || millis > BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis()) {
      return fallback();
    }
    Instant t = new Instant(millis);
    if (t.isAfter(Instant.now().plus(maxAhead))
        || (latest != null && t.isAfter(latest.plus(maxAhead)))) {
      return fallback();
    }
    if (latest == null || t.isAfter(latest)) {
      latest = t;
    }
    return t;
  }

  private Instant fallback() {
    return latest != null ? latest : BoundedWindow.TIMESTAMP_MIN_VALUE;
  }

  @Override
  public Instant getWatermark(PartitionContext ctx) {
    if (latest == null) {
      // Nothing read yet says nothing about event time: the wall clock would make a replay of
      // 2001 late as a whole when the job starts before its traffic (./mlops demo does).
      return BoundedWindow.TIMESTAMP_MIN_VALUE;
    }
    return ctx.getMessageBacklog() == 0 ? latest : latest.minus(maxDelay);
  }
}
