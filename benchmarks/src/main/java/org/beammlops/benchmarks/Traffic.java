package org.beammlops.benchmarks;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.beammlops.transforms.parse.KafkaPayloads;

/**
 * The client side of one measurement: produces requests onto the requests topic and consumes
 * predictions from the predictions topic on its own thread, noting {@link System#nanoTime} when
 * each request is handed to the producer and when its prediction is polled. Both clocks are this
 * JVM's, so the latency is end to end as a client would see it: broker hops, the contender's
 * batching and scoring, and the prediction's way back.
 *
 * <p>Request ids are {@code w-<i>} for the warm-up and {@code m-<i>} for measured requests; a
 * prediction's Kafka key is its request id, so the consumer finds the request without parsing the
 * prediction.
 */
final class Traffic implements AutoCloseable {
  private static final byte[] JSON = KafkaPayloads.JSON.getBytes(StandardCharsets.UTF_8);

  private final BenchTopics topics;
  private final RequestPayloads payloads;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread consuming;
  private final long[] sentNanos;
  private final long[] receivedNanos;
  private final AtomicLong warmupReceived = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private volatile boolean running = true;
  private volatile RuntimeException consumerFailure;

  /** Opens the clients and starts consuming; room for {@code capacity} measured requests. */
  Traffic(String bootstrap, BenchTopics topics, RequestPayloads payloads, int capacity) {
    this.topics = topics;
    this.payloads = payloads;
    this.sentNanos = new long[capacity];
    this.receivedNanos = new long[capacity];
    this.producer =
        new KafkaProducer<>(
            Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "1"),
            new StringSerializer(),
            new ByteArraySerializer());
    this.consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                5000),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    TopicPartition partition = new TopicPartition(topics.predictions(), 0);
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    this.consuming = new Thread(this::consume, "bench-predictions-consumer");
    consuming.setDaemon(true);
    consuming.start();
  }

  int capacity() {
    return sentNanos.length;
  }

  /**
   * Sends {@code n} warm-up requests at once and waits until all are scored, so that the
   * contender's start-up, first model load and JIT warm-up stay out of the measurement.
   */
  void warmUp(int n, Duration timeout, String name, Contender contender) {
    for (int i = 0; i < n; i++) {
      send(i, "w-" + i);
    }
    producer.flush();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (warmupReceived.get() < n) {
      checkConsumer();
      contender.check();
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            name
                + " scored "
                + warmupReceived.get()
                + " of "
                + n
                + " warm-up requests in "
                + timeout.toSeconds()
                + " s (raise --startupSeconds on a busy machine)");
      }
      sleepMillis(20);
    }
  }

  /**
   * As fast as the contender takes them: produces up to {@code n} requests, never more than {@code
   * inFlight} ahead of the predictions consumed (the contender is never idle, and a slow one is not
   * buried under a backlog it can never drain), for at most {@code seconds}; then waits at most
   * {@code drainSeconds} for the predictions still due.
   */
  PhaseStats saturate(int n, int inFlight, double seconds, double drainSeconds) {
    long start = System.nanoTime();
    long deadline = start + (long) (seconds * 1e9);
    int sent = 0;
    while (sent < Math.min(n, capacity()) && System.nanoTime() < deadline) {
      if (sent - received.get() >= inFlight) {
        checkConsumer();
        LockSupport.parkNanos(100_000);
        continue;
      }
      sentNanos[sent] = System.nanoTime();
      send(sent, "m-" + sent);
      sent++;
    }
    return finish(sent, drainSeconds);
  }

  /**
   * At a fixed rate: request {@code i} is produced at {@code start + i / rate}, whether or not the
   * contender keeps up, for {@code seconds}; then waits at most {@code drainSeconds} for the rest.
   */
  PhaseStats atRate(double rate, double seconds, double drainSeconds) {
    int n = (int) Math.min(capacity(), Math.round(rate * seconds));
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long due = start + (long) (i * 1e9 / rate);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      sentNanos[i] = System.nanoTime();
      send(i, "m-" + i);
      if ((i & 1023) == 0) {
        checkConsumer();
      }
    }
    return finish(n, drainSeconds);
  }

  long duplicates() {
    return duplicates.get();
  }

  private PhaseStats finish(int sent, double drainSeconds) {
    producer.flush();
    long drainUntil = System.nanoTime() + (long) (drainSeconds * 1e9);
    while (received.get() < sent && System.nanoTime() < drainUntil) {
      checkConsumer();
      sleepMillis(10);
    }
    long end = System.nanoTime();
    stopConsuming();
    return PhaseStats.of(sentNanos, receivedNanos, sent, end);
  }

  private void send(long i, String id) {
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(topics.requests(), id, payloads.request(i, id));
    record.headers().add(KafkaPayloads.CONTENT_TYPE, JSON);
    producer.send(record);
  }

  private void consume() {
    try {
      while (running) {
        var records = consumer.poll(Duration.ofMillis(50));
        long now = System.nanoTime();
        for (ConsumerRecord<String, byte[]> record : records) {
          String key = record.key();
          if (key == null) {
            continue;
          }
          if (key.startsWith("w-")) {
            warmupReceived.incrementAndGet();
          } else if (key.startsWith("m-")) {
            int i = Integer.parseInt(key.substring(2));
            if (i < receivedNanos.length && receivedNanos[i] == 0) {
              receivedNanos[i] = now;
              received.incrementAndGet();
            } else {
              duplicates.incrementAndGet();
            }
          }
        }
      }
    } catch (WakeupException e) {
      // stopConsuming(): the measurement is over
    } catch (RuntimeException e) {
      consumerFailure = e;
    }
  }

  private void checkConsumer() {
    if (consumerFailure != null) {
      throw new IllegalStateException(
          "reading predictions failed: " + consumerFailure, consumerFailure);
    }
  }

  /** Stops the consumer thread; its writes to the arrival times are visible after the join. */
  private void stopConsuming() {
    running = false;
    consumer.wakeup();
    try {
      consuming.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleepMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    stopConsuming();
    producer.close(Duration.ofSeconds(5));
    consumer.close(Duration.ofSeconds(5));
  }
}
