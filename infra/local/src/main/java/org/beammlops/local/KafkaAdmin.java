package org.beammlops.local;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The AdminClient calls the local stack needs. Readiness means "describeCluster answers": a KRaft
 * broker only serves requests once it is unfenced, so after that topics can be created.
 */
final class KafkaAdmin implements AutoCloseable {
  private final Admin admin;

  KafkaAdmin(String bootstrap) {
    this.admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, "mlops-local",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500,
                AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 200));
  }

  /** True if the cluster answers within {@code timeout}. */
  boolean answers(Duration timeout) {
    try {
      return !admin
          .describeCluster()
          .nodes()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .isEmpty();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return false;
    }
  }

  /**
   * Polls until the broker at {@code 127.0.0.1:port} answers, giving up at the deadline or as soon
   * as {@code stillHope} turns false (e.g. the broker process died). It waits for the port with
   * plain connects first: an AdminClient that saw refused connections backs off for seconds.
   */
  static boolean awaitReady(int port, Duration timeout, BooleanSupplier stillHope) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Ports.accepts(port)) {
      if (System.nanoTime() > deadline || !stillHope.getAsBoolean()) {
        return false;
      }
      Ports.pause(100);
    }
    try (KafkaAdmin admin = new KafkaAdmin("127.0.0.1:" + port)) {
      while (System.nanoTime() < deadline && stillHope.getAsBoolean()) {
        if (admin.answers(Duration.ofSeconds(2))) {
          return true;
        }
        Ports.pause(100);
      }
    }
    return false;
  }

  /** Number of non-internal topics, if the broker answers. */
  Optional<Integer> topicCount(Duration timeout) {
    try {
      return Optional.of(
          admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size());
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return Optional.empty();
    }
  }

  /**
   * Creates the topics that do not exist yet, retrying transient errors until the deadline.
   *
   * @return how many were created (the rest already existed)
   */
  int createTopics(List<String> names, int partitions, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int created = 0;
    for (String name : names) {
      while (true) {
        try {
          admin
              .createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
              .all()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
          created++;
          break;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof TopicExistsException) {
            break;
          }
          if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
            throw new LocalStackException(
                "kafka: cannot create topic " + name + ": " + e.getCause().getMessage(), e);
          }
          Ports.pause(200);
        } catch (java.util.concurrent.TimeoutException e) {
          throw new LocalStackException("kafka: creating topic " + name + " timed out", e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new LocalStackException("kafka: interrupted while creating topics", e);
        }
      }
    }
    return created;
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(2));
  }
}
