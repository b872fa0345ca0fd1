package org.beammlops.pipelines.score;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer group's place on the requests topic, seen from the launcher with Kafka's admin client:
 * to skip a backlog before a job starts ({@code --startAt=latest}) and to tell whether a running
 * job has read everything sent so far ({@code --stopWhenIdleSeconds}).
 *
 * <p>Why not Kafka's {@code auto.offset.reset=latest} or KafkaIO's start read time for the skip:
 * the first only applies to a group without offsets and takes the end whenever the reader happens
 * to be assigned, so requests sent between the launch and the assignment would be lost; the second
 * fails on a partition without a message after that time, i.e. on a topic waiting for traffic.
 * Moving the group's committed offsets on the launcher fixes the start before anything runs.
 *
 * <p>Why the position at launch for "read everything": the offsets a job commits trail what it has
 * read (they are committed when a bundle is finalized), but the end offsets minus the position at
 * launch is how many messages arrived for it, to compare with its {@code read} counter.
 */
public final class GroupOffsets {
  private static final int DEFAULT_TIMEOUT_SECONDS = 30;

  private final String bootstrapServers;
  private final String topic;
  private final String group;
  private final int timeoutSeconds;

  public GroupOffsets(String bootstrapServers, String topic, String group) {
    this(bootstrapServers, topic, group, DEFAULT_TIMEOUT_SECONDS);
  }

  GroupOffsets(String bootstrapServers, String topic, String group, int timeoutSeconds) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.group = group;
    this.timeoutSeconds = timeoutSeconds;
  }

  /**
   * Where the group reads next, per partition: its committed offset, else the earliest one. A topic
   * that does not exist yet has no partitions.
   */
  Map<TopicPartition, Long> positions() {
    return withAdmin(
        admin -> {
          Map<TopicPartition, Long> earliest = offsets(admin, OffsetSpec.earliest());
          Map<TopicPartition, OffsetAndMetadata> committed =
              get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
          Map<TopicPartition, Long> out = new HashMap<>();
          earliest.forEach(
              (tp, first) -> {
                OffsetAndMetadata c = committed.get(tp);
                out.put(tp, c != null ? c.offset() : first);
              });
          return out;
        });
  }

  /**
   * Commits the end offsets of every partition for the group and returns how many messages that
   * skips. The group must have no running members.
   */
  public long moveToEnd() {
    Map<TopicPartition, Long> from = positions();
    return withAdmin(
        admin -> {
          Map<TopicPartition, Long> ends = offsets(admin, OffsetSpec.latest());
          Map<TopicPartition, OffsetAndMetadata> target = new HashMap<>();
          long skipped = 0;
          for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            skipped += Math.max(0, end.getValue() - from.getOrDefault(end.getKey(), 0L));
            target.put(end.getKey(), new OffsetAndMetadata(end.getValue()));
          }
          if (!target.isEmpty()) {
            get(admin.alterConsumerGroupOffsets(group, target).all());
          }
          return skipped;
        });
  }

  /**
   * How many messages arrived since {@code start} (positions taken at launch; a partition created
   * since counts from its earliest offset) that a job which has read {@code read} has not read yet.
   */
  long unread(Map<TopicPartition, Long> start, long read) {
    return withAdmin(
        admin -> {
          Map<TopicPartition, Long> ends = offsets(admin, OffsetSpec.latest());
          Map<TopicPartition, Long> earliest = offsets(admin, OffsetSpec.earliest());
          long arrived = 0;
          for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            long from = start.getOrDefault(end.getKey(), earliest.get(end.getKey()));
            arrived += Math.max(0, end.getValue() - from);
          }
          return Math.max(0, arrived - read);
        });
  }

  private interface AdminCall<T> {
    T call(Admin admin) throws ExecutionException;
  }

  private <T> T withAdmin(AdminCall<T> call) {
    int timeoutMillis = (int) TimeUnit.SECONDS.toMillis(timeoutSeconds);
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                timeoutMillis,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                timeoutMillis))) {
      return call.call(admin);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        // The admin client's own deadline can pass before ours: the same unanswered broker.
        throw notAnswering(e);
      }
      throw new IllegalStateException(
          "consumer group "
              + group
              + " on "
              + topic
              + " at "
              + bootstrapServers
              + " (is another job of this group running?): "
              + e.getCause().getMessage(),
          e);
    }
  }

  /** Offsets of every partition of the topic; none when it does not exist yet. */
  private Map<TopicPartition, Long> offsets(Admin admin, OffsetSpec spec)
      throws ExecutionException {
    if (!get(admin.listTopics().names()).contains(topic)) {
      return Map.of();
    }
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    get(admin.describeTopics(List.of(topic)).allTopicNames())
        .get(topic)
        .partitions()
        .forEach(p -> request.put(new TopicPartition(topic, p.partition()), spec));
    Map<TopicPartition, ListOffsetsResultInfo> answer = get(admin.listOffsets(request).all());
    Map<TopicPartition, Long> out = new HashMap<>();
    answer.forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  private <T> T get(KafkaFuture<T> future) throws ExecutionException {
    try {
      return future.get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw notAnswering(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while talking to Kafka", e);
    }
  }

  private IllegalStateException notAnswering(Exception cause) {
    return new IllegalStateException(
        "Kafka at "
            + bootstrapServers
            + " did not answer within "
            + timeoutSeconds
            + " s (is the broker up?)",
        cause);
  }
}
