package org.beammlops.pipelines.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.beammlops.schemas.usecase.FieldSpec;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.beammlops.transforms.parse.KafkaPayloads;
import org.beammlops.transforms.parse.RecordEncoder;

/**
 * Publishes a whole data set (one group) to the requests topic in event-time order, at a rate, with
 * each record's true labels to the feedback topic once the replay's event-time clock has passed the
 * record's event time plus the feedback delay. Drift and malformed messages are placed by a seeded
 * random generator, so a replay is reproducible.
 */
final class PublishInEventTimeOrder extends DoFn<KV<Integer, Iterable<GenericRecord>>, Void> {
  static final String PUBLISHED = "published";
  static final String FEEDBACK = "feedback";
  static final String DRIFTED = "drifted";
  static final String BAD = "badRecords";
  static final String NOISY = "noisyLabels";

  /** Header naming what replay did to a message: {@code drifted} or a bad-message kind. */
  static final String MARK_HEADER = "mlops-replay";

  /** Header with the record's event time in epoch millis. */
  static final String EVENT_TIME_HEADER = "event-time";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ReplayConfig config;
  private transient Counter published;
  private transient Counter feedback;
  private transient Counter drifted;
  private transient Counter bad;
  private transient Counter noisy;

  PublishInEventTimeOrder(ReplayConfig config) {
    this.config = config;
  }

  private transient long replayStart;

  @Setup
  public void setup() {
    replayStart = System.currentTimeMillis();
    published = PipelineCounters.counter(PUBLISHED);
    feedback = PipelineCounters.counter(FEEDBACK);
    drifted = PipelineCounters.counter(DRIFTED);
    bad = PipelineCounters.counter(BAD);
    noisy = PipelineCounters.counter(NOISY);
  }

  /** A feedback message waiting for the event-time clock to reach its due time. */
  private record PendingFeedback(long due, long sequence, String id, byte[] payload) {}

  @ProcessElement
  public void process(@Element KV<Integer, Iterable<GenericRecord>> group) throws Exception {
    List<GenericRecord> records = new ArrayList<>();
    group.getValue().forEach(records::add);
    records.sort(
        Comparator.<GenericRecord>comparingLong(this::eventTime)
            .thenComparing(r -> r.get("ingest_source").toString())
            .thenComparingLong(r -> (Long) r.get("ingest_position")));
    if (config.limit > 0 && records.size() > config.limit) {
      records = new ArrayList<>(records.subList(0, (int) config.limit));
    }
    int n = records.size();
    Random random = new Random(config.seed);
    BitSet driftedRows = choose(n, (int) Math.round(config.driftShare * n), random);
    BitSet noisyLabels = choose(n, (int) Math.round(config.labelNoise * n), random);
    int badCount = (int) Math.round(config.badShare * n);
    int[] badBefore = new int[n + 1];
    for (int i = 0; i < badCount; i++) {
      badBefore[random.nextInt(n + 1)]++;
    }

    RecordEncoder encoder = new RecordEncoder(config.useCase, false);
    BadMessages badMessages = new BadMessages(config.useCase);
    PriorityQueue<PendingFeedback> pending =
        new PriorityQueue<>(
            Comparator.comparingLong(PendingFeedback::due)
                .thenComparingLong(PendingFeedback::sequence));
    long badIndex = 0;
    long start = System.nanoTime();
    long sent = 0;
    List<Future<RecordMetadata>> inFlight = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer = producer()) {
      for (int i = 0; i <= n; i++) {
        for (int b = 0; b < badBefore[i]; b++) {
          GenericRecord template = records.get(Math.min(i, n - 1));
          BadMessages.Kind kind = BadMessages.kind(badIndex);
          byte[] payload = badMessages.make(kind, encoder.toJsonNode(template));
          RecordHeaders headers = headers(KafkaPayloads.JSON, eventTime(template));
          headers.add(MARK_HEADER, kind.name().getBytes(StandardCharsets.UTF_8));
          producer.send(
              new ProducerRecord<>(
                  config.requestsTopic, null, "bad-" + badIndex, payload, headers));
          badIndex++;
          bad.inc();
        }
        if (i == n) {
          break;
        }
        GenericRecord record = records.get(i);
        long eventTime = eventTime(record);
        while (!pending.isEmpty() && pending.peek().due() <= eventTime) {
          sendFeedback(producer, pending.poll());
        }
        GenericRecord toSend = record;
        boolean drift = driftedRows.get(i);
        if (drift) {
          toSend = drift(record);
          drifted.inc();
        }
        pace(start, sent++);
        String id = record.get(config.useCase.idField().get().name()).toString();
        RecordHeaders headers = headers(KafkaPayloads.contentType(config.payload), eventTime);
        if (drift) {
          headers.add(MARK_HEADER, "drifted".getBytes(StandardCharsets.UTF_8));
        }
        inFlight.add(
            producer.send(
                new ProducerRecord<>(
                    config.requestsTopic,
                    null,
                    id,
                    encoder.encode(toSend, config.payload),
                    headers)));
        published.inc();
        pending.add(
            new PendingFeedback(
                eventTime + config.feedbackDelayMillis,
                i,
                id,
                feedbackPayload(record, id, noisyLabels.get(i))));
        if (noisyLabels.get(i)) {
          noisy.inc();
        }
        if (inFlight.size() >= 10_000) {
          awaitAll(inFlight);
        }
      }
      while (!pending.isEmpty()) {
        sendFeedback(producer, pending.poll());
      }
      producer.flush();
      awaitAll(inFlight);
    }
  }

  private void awaitAll(List<Future<RecordMetadata>> inFlight) throws Exception {
    for (Future<RecordMetadata> future : inFlight) {
      future.get();
    }
    inFlight.clear();
  }

  private void sendFeedback(KafkaProducer<String, byte[]> producer, PendingFeedback item) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(KafkaPayloads.CONTENT_TYPE, KafkaPayloads.JSON.getBytes(StandardCharsets.UTF_8));
    producer.send(
        new ProducerRecord<>(config.feedbackTopic, null, item.id(), item.payload(), headers));
    feedback.inc();
  }

  /**
   * The feedback message: the record's id, event time, and each task's label in its own terms (the
   * value, 0 or 1, the class name), as the feedback-metrics pipeline reads it.
   */
  private byte[] feedbackPayload(GenericRecord record, String id, boolean wrong) {
    long eventTime = eventTime(record);
    ObjectNode node = JSON.createObjectNode();
    node.put("requestId", id);
    node.put("useCase", config.useCase.name());
    node.put("eventTime", iso(eventTime));
    node.put("observedAt", iso(eventTime + config.feedbackDelayMillis));
    ObjectNode labels = node.putObject("labels");
    for (Task task : config.useCase.tasks()) {
      Object raw = record.get(task.label());
      Double target = task.target(raw);
      if (target != null && wrong) {
        target = wrongTarget(task, target);
      }
      if (target == null) {
        labels.putNull(task.name());
      } else if (task.type() == Task.Type.MULTICLASS) {
        labels.put(task.name(), task.classes().get(target.intValue()));
      } else {
        labels.put(task.name(), target);
      }
    }
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A wrong target for label noise: the other class of a binary task, the next class of a
   * multi-class one, for regression the value moved by {@link #REGRESSION_NOISE} in the direction
   * of its sign (so a delay of 0 becomes 30).
   */
  static double wrongTarget(Task task, double target) {
    return switch (task.type()) {
      case CLASSIFICATION -> 1 - target;
      case MULTICLASS -> (target + 1) % task.classes().size();
      case REGRESSION -> target + (target < 0 ? -REGRESSION_NOISE : REGRESSION_NOISE);
    };
  }

  /** How far label noise moves a regression target. */
  static final double REGRESSION_NOISE = 30;

  /**
   * A record's event time, which orders the replay; for a use case without one (or a record that
   * lacks it) the time it is replayed stands in, so records go out in the lake's order.
   */
  private long eventTime(GenericRecord record) {
    Object value = config.useCase.eventTime().map(f -> record.get(f.name())).orElse(null);
    if (value == null) {
      return replayStart;
    }
    return value instanceof Instant instant ? instant.toEpochMilli() : (Long) value;
  }

  private String iso(long epochMillis) {
    return LocalDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), config.useCase.timeZone())
        .toString();
  }

  /** A copy of the record with the drift feature changed, kept within the schema's bounds. */
  GenericRecord drift(GenericRecord record) {
    GenericData.Record copy = new GenericData.Record((GenericData.Record) record, true);
    FieldSpec feature = config.useCase.field(config.driftFeature);
    Object value = record.get(feature.name());
    switch (config.driftKind) {
      case MIX:
        copy.put(feature.name(), config.driftAmount);
        break;
      case SHIFT:
      case SCALE:
        double amount = Double.parseDouble(config.driftAmount);
        double x = ((Number) value).doubleValue();
        double changed = config.driftKind == ReplayConfig.DriftKind.SHIFT ? x + amount : x * amount;
        changed = Math.max(feature.min().orElse(-Double.MAX_VALUE), changed);
        changed = Math.min(feature.max().orElse(Double.MAX_VALUE), changed);
        copy.put(feature.name(), asFieldType(feature, changed));
        break;
      default:
        throw new AssertionError(config.driftKind);
    }
    return copy;
  }

  private static Object asFieldType(FieldSpec feature, double value) {
    switch (feature.type()) {
      case LONG:
        return Math.round(value);
      case INT:
        return (int) Math.round(value);
      case FLOAT:
        return (float) value;
      default:
        return value;
    }
  }

  /** Exactly {@code k} distinct indices of {@code n}, by a partial Fisher-Yates shuffle. */
  static BitSet choose(int n, int k, Random random) {
    int[] index = new int[n];
    for (int i = 0; i < n; i++) {
      index[i] = i;
    }
    BitSet chosen = new BitSet(n);
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(n - i);
      int tmp = index[i];
      index[i] = index[j];
      index[j] = tmp;
      chosen.set(index[i]);
    }
    return chosen;
  }

  private void pace(long startNanos, long sentSoFar) {
    if (config.rate <= 0) {
      return;
    }
    long due = startNanos + (long) (sentSoFar * 1e9 / config.rate);
    long wait;
    while ((wait = due - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
    }
  }

  private RecordHeaders headers(String contentType, long eventTime) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(KafkaPayloads.CONTENT_TYPE, contentType.getBytes(StandardCharsets.UTF_8));
    headers.add(
        KafkaPayloads.SENT_AT,
        Long.toString(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
    headers.add(EVENT_TIME_HEADER, Long.toString(eventTime).getBytes(StandardCharsets.UTF_8));
    return headers;
  }

  private KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            config.bootstrapServers,
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true,
            ProducerConfig.LINGER_MS_CONFIG,
            5,
            ProducerConfig.BATCH_SIZE_CONFIG,
            256 * 1024,
            ProducerConfig.MAX_BLOCK_MS_CONFIG,
            30_000),
        new StringSerializer(),
        new ByteArraySerializer());
  }
}
