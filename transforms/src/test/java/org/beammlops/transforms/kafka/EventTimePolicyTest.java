package org.beammlops.transforms.kafka;

import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;

/** The event-time policy: payload times, the watermark, and a clock far ahead kept out of it. */
public class EventTimePolicyTest {
  private static final Instant T = Instant.parse("2001-06-01T08:00:00Z");

  /** A payload that is its event time in millis as text, or not a number. */
  private static final SerializableFunction<byte[], Long> MILLIS =
      bytes -> {
        try {
          return Long.parseLong(new String(bytes, StandardCharsets.UTF_8));
        } catch (NumberFormatException e) {
          return null;
        }
      };

  private static final class Context extends TimestampPolicy.PartitionContext {
    long backlog = 10;

    @Override
    public long getMessageBacklog() {
      return backlog;
    }

    @Override
    public Instant getBacklogCheckTime() {
      return Instant.now();
    }
  }

  private static KafkaRecord<byte[], byte[]> message(String value) {
    return new KafkaRecord<>(
        "t",
        0,
        0,
        0,
        KafkaTimestampType.CREATE_TIME,
        null,
        KV.of(new byte[0], value.getBytes(StandardCharsets.UTF_8)));
  }

  private static KafkaRecord<byte[], byte[]> at(Instant t) {
    return message(Long.toString(t.getMillis()));
  }

  @Test
  public void timestampsByPayloadAndHoldsBackTheDelay() {
    Duration delay = Duration.standardMinutes(1);
    EventTimePolicy policy =
        new EventTimePolicy(MILLIS, delay, Duration.standardDays(1), Optional.empty());
    Context ctx = new Context();
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, policy.getWatermark(ctx));
    ctx.backlog = 0; // an empty topic: the job started before its traffic
    assertEquals(
        "the wall clock is not the event time of data yet to come",
        BoundedWindow.TIMESTAMP_MIN_VALUE,
        policy.getWatermark(ctx));
    ctx.backlog = 10;
    assertEquals(T, policy.getTimestampForRecord(ctx, at(T)));
    Instant later = T.plus(Duration.standardMinutes(5));
    assertEquals(later, policy.getTimestampForRecord(ctx, at(later)));
    Instant earlier = T.plus(Duration.standardMinutes(2));
    assertEquals(earlier, policy.getTimestampForRecord(ctx, at(earlier)));
    assertEquals(later.minus(delay), policy.getWatermark(ctx));
    ctx.backlog = 0; // caught up: nothing older than what was read is coming
    assertEquals(later, policy.getWatermark(ctx));
  }

  @Test
  public void aClockFarAheadOrAnUnreadablePayloadDoesNotMoveTheWatermark() {
    EventTimePolicy policy =
        new EventTimePolicy(MILLIS, Duration.ZERO, Duration.standardDays(1), Optional.empty());
    Context ctx = new Context();
    policy.getTimestampForRecord(ctx, at(T));
    Instant farAhead = T.plus(Duration.standardDays(3));
    assertEquals(T, policy.getTimestampForRecord(ctx, at(farAhead)));
    assertEquals(T, policy.getTimestampForRecord(ctx, message("not a time")));
    assertEquals(T, policy.getWatermark(ctx));
    Instant nextDay = T.plus(Duration.standardHours(20));
    assertEquals(nextDay, policy.getTimestampForRecord(ctx, at(nextDay)));

    EventTimePolicy fresh =
        new EventTimePolicy(MILLIS, Duration.ZERO, Duration.standardDays(1), Optional.empty());
    Instant future = Instant.now().plus(Duration.standardDays(30));
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, fresh.getTimestampForRecord(ctx, at(future)));
  }
}
