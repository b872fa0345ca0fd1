package org.beammlops.benchmarks;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The pair of topics one measurement of {@code bench score} runs on: created fresh, so that no
 * contender reads another's backlog, with one partition each (the plain loop is one consumer, and
 * one partition keeps the contenders' inputs alike), and deleted afterwards so that a bench run
 * leaves no million-message topics on the broker.
 */
record BenchTopics(String requests, String predictions) {

  /** Fails with a clear message when no broker answers at {@code bootstrap}. */
  static void checkBroker(String bootstrap) {
    try (Admin admin = admin(bootstrap)) {
      admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      throw new IllegalArgumentException(
          "no Kafka broker answers at "
              + bootstrap
              + " ("
              + e
              + "); start the local one with ./mlops local up kafka, or point"
              + " MLOPS_KAFKA_BOOTSTRAP or --bootstrapServers at a running broker");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while looking for the broker", e);
    }
  }

  static BenchTopics create(String bootstrap, String prefix) {
    BenchTopics topics = new BenchTopics(prefix + ".requests", prefix + ".predictions");
    create(bootstrap, List.of(topics.requests(), topics.predictions()));
    return topics;
  }

  /** Creates one-partition topics {@code names} and waits until they exist. */
  static void create(String bootstrap, List<String> names) {
    try (Admin admin = admin(bootstrap)) {
      admin
          .createTopics(names.stream().map(n -> new NewTopic(n, 1, (short) 1)).toList())
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create the bench topics " + names + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }

  void delete(String bootstrap) {
    delete(bootstrap, List.of(requests, predictions));
  }

  /** Best effort: a topic left behind is noise on the broker, not a wrong figure. */
  static void delete(String bootstrap, List<String> names) {
    try (Admin admin = admin(bootstrap)) {
      admin.deleteTopics(names).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      System.err.println("bench: could not delete " + names + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Admin admin(String bootstrap) {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
            10_000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            15_000));
  }
}
