package org.beammlops.pipelines.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.beammlops.schemas.Prediction;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.feedback.MetricWindowJson;
import org.beammlops.transforms.feedback.PredictionMessages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the use case's metrics, alerts, predictions and dead-letter topics from their beginning
 * into {@link MonitorState}: the metric windows, the alerts and model events, and the scoring job's
 * counts (predictions per version, dead letters by reason), taken from what the jobs published
 * rather than from their in-memory counters, so they survive the job and the monitor.
 *
 * <p>It assigns partitions itself (no consumer group: the monitor commits nothing and leaves no
 * group behind). While the broker is down it keeps what it has, marks the broker down and retries;
 * Kafka's client reconnects on its own once the partitions are assigned. An unreadable message is
 * counted per topic and logged: the monitor does not own these topics, so the message stays where
 * it is.
 */
final class MonitorFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MonitorFeed.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration REASSIGN_EVERY = Duration.ofSeconds(10);

  private final String bootstrapServers;
  private final UseCase useCase;
  private final MonitorState state;
  private final PredictionMessages predictions;
  private final Thread thread;
  private volatile boolean running = true;
  private KafkaConsumer<byte[], byte[]> consumer;

  MonitorFeed(String bootstrapServers, UseCase useCase, MonitorState state) {
    this.bootstrapServers = bootstrapServers;
    this.useCase = useCase;
    this.state = state;
    this.predictions = PredictionMessages.of(useCase, useCase.tasks().get(0));
    this.thread = new Thread(this::run, "monitor-feed");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private List<String> topics() {
    return List.of(
        useCase.topics().metrics(),
        useCase.topics().alerts(),
        useCase.topics().predictions(),
        useCase.topics().dlq());
  }

  private void run() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "mlops-monitor-" + useCase.name());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Looking a topic up must not create it: the pipelines' topics are made by local up/Terraform.
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    props.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000");
    Set<TopicPartition> assigned = new HashSet<>();
    Instant nextAssign = Instant.EPOCH;
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer = c;
      while (running) {
        try {
          if (Instant.now().isAfter(nextAssign)) {
            assign(c, assigned);
            nextAssign = Instant.now().plus(REASSIGN_EVERY);
          }
          if (assigned.isEmpty()) {
            Thread.sleep(POLL.toMillis());
            continue;
          }
          for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
            handle(r.topic(), r.value());
          }
        } catch (WakeupException | InterruptException e) {
          return;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (KafkaException e) {
          // Whether the broker is up is the broker check's to say; this only retries.
          LOG.warn("reading the topics failed, retrying: {}", e.toString());
          nextAssign = Instant.EPOCH;
        }
      }
    } catch (RuntimeException e) {
      LOG.error("the monitor's topic reader stopped", e);
      state.broker(false, "the topic reader stopped: " + e);
    }
  }

  /** Adds the partitions not yet assigned (topics may be created after the monitor starts). */
  private void assign(KafkaConsumer<byte[], byte[]> c, Set<TopicPartition> assigned) {
    List<TopicPartition> added = new ArrayList<>();
    for (String topic : topics()) {
      List<PartitionInfo> partitions = c.partitionsFor(topic, METADATA_TIMEOUT);
      for (PartitionInfo p : partitions == null ? List.<PartitionInfo>of() : partitions) {
        TopicPartition tp = new TopicPartition(topic, p.partition());
        if (assigned.add(tp)) {
          added.add(tp);
        }
      }
    }
    if (!added.isEmpty()) {
      c.assign(List.copyOf(assigned));
      c.seekToBeginning(added);
      LOG.info("reading {} more partitions from their beginning: {}", added.size(), added);
    }
  }

  /** One message of one of the topics into the state; false if it could not be read. */
  boolean handle(String topic, byte[] value) {
    boolean readable = true;
    try {
      if (topic.equals(useCase.topics().metrics())) {
        state.window(MetricWindowJson.read(value));
      } else if (topic.equals(useCase.topics().alerts())) {
        alertOrModelEvent(JSON.readTree(value));
      } else if (topic.equals(useCase.topics().predictions())) {
        Prediction p = predictions.decode(value);
        state.prediction(p.getTask(), p.getModelVersion(), p.getScoredAt());
      } else if (topic.equals(useCase.topics().dlq())) {
        JsonNode d = JSON.readTree(value);
        state.deadLetter(d.get("pipeline").asText(), d.get("errorType").asText());
      }
    } catch (Exception e) {
      readable = false;
      LOG.warn(
          "unreadable message on {} ({} bytes): {}",
          topic,
          value == null ? 0 : value.length,
          e.toString());
    }
    state.message(topic, readable);
    return readable;
  }

  private void alertOrModelEvent(JsonNode n) {
    String kind = n.get("kind").asText();
    if (kind.equals("model_event")) {
      state.modelEvent(
          new MonitorState.Served(
              n.get("modelName").asText(),
              n.get("modelVersion").asText(),
              n.get("type").asText(),
              Instant.parse(n.get("at").asText()),
              n.path("reason").asText("")));
    } else if (kind.equals("alert")) {
      JsonNode attributes = n.path("attributes");
      String rule = attributes.path("rule").asText(n.get("alertKind").asText());
      state.alert(
          new MonitorState.AlertView(
              rule,
              n.get("alertKind").asText(),
              n.get("severity").asText(),
              n.path("state").asText("FIRING"),
              attributes.path("task").asText(""),
              attributes.path("modelVersion").asText(""),
              n.path("message").asText(""),
              Instant.parse(n.get("at").asText())),
          // Rules fire and resolve; a refused model is an event that no later message resolves.
          attributes.has("threshold"));
    } else {
      throw new IllegalArgumentException("unknown kind '" + kind + "'");
    }
  }

  /** Asks the broker for its nodes; the state's broker flag says whether it answered. */
  static void checkBroker(Admin admin, MonitorState state) {
    try {
      int nodes =
          admin
              .describeCluster(new DescribeClusterOptions().timeoutMs(3000))
              .nodes()
              .get(4, TimeUnit.SECONDS)
              .size();
      state.broker(nodes > 0, nodes > 0 ? null : "the cluster has no nodes");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      state.broker(false, "broker unreachable: " + rootMessage(e));
    }
  }

  static Admin admin(String bootstrapServers) {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000,
            AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2000));
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    thread.join(10_000);
  }
}
