package org.beammlops.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.deadletter.RejectedRecordException;
import org.beammlops.transforms.inference.LoadedModel;
import org.beammlops.transforms.inference.ModelOutput;
import org.beammlops.transforms.parse.RecordParser;
import org.beammlops.transforms.serving.PredictionJson;
import org.beammlops.transforms.serving.ToPrediction;

/**
 * The baseline of {@code bench score}: the loop one would write by hand without Beam. One thread
 * polls the requests topic, parses each message with the same {@link RecordParser}, scores batches
 * of at most {@code maxBatchSize} with the same loaded model (the model's feature spec vectorizes,
 * ONNX Runtime scores), and publishes the same prediction JSON keyed by request id.
 *
 * <p>What it leaves out is what the pipeline adds beyond scoring: de-duplication by request id,
 * dead letters (bad requests are only counted here), the prediction log in the lake, registry
 * polling, and offsets committed only after outputs are written (here the consumer auto-commits).
 * The gap between the two is the price of those guarantees plus the runner's own overhead.
 */
final class PlainJavaScore implements Contender {
  private final UseCase useCase;
  private final Task task;
  private final LoadedModel<GenericRecord, ModelOutput> model;
  private final int maxBatchSize;
  private final String predictionsTopic;
  private final RecordParser parser;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final Thread thread;
  private final AtomicLong rejected = new AtomicLong();
  private volatile boolean running = true;
  private volatile Throwable failure;

  PlainJavaScore(
      UseCase useCase,
      Task task,
      LoadedModel<GenericRecord, ModelOutput> model,
      int maxBatchSize,
      String bootstrap,
      BenchTopics topics) {
    this.useCase = useCase;
    this.task = task;
    this.model = model;
    this.maxBatchSize = maxBatchSize;
    this.predictionsTopic = topics.predictions();
    this.parser = new RecordParser(useCase);
    this.consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                "bench-plain-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                maxBatchSize),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    consumer.subscribe(List.of(topics.requests()));
    this.producer =
        new KafkaProducer<>(
            Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
            new StringSerializer(),
            new ByteArraySerializer());
    this.thread = new Thread(this::loop, "bench-plain-score");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    List<GenericRecord> batch = new ArrayList<>(maxBatchSize);
    List<Long> sentAt = new ArrayList<>(maxBatchSize);
    try {
      while (running) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        for (ConsumerRecord<byte[], byte[]> record : records) {
          try {
            batch.add(parser.fromJson(record.value(), record.topic(), record.offset()));
            sentAt.add(record.timestamp());
          } catch (RejectedRecordException e) {
            rejected.incrementAndGet();
          }
          if (batch.size() == maxBatchSize) {
            score(batch, sentAt);
          }
        }
        if (!batch.isEmpty()) {
          score(batch, sentAt);
        }
      }
    } catch (WakeupException e) {
      // close(): stop
    } catch (RuntimeException | Error e) {
      failure = e;
    }
  }

  private void score(List<GenericRecord> batch, List<Long> sentAt) {
    List<LoadedModel.Scored<ModelOutput>> scored = model.predict(batch);
    long now = System.currentTimeMillis();
    for (int i = 0; i < batch.size(); i++) {
      LoadedModel.Scored<ModelOutput> s = scored.get(i);
      if (!s.isOk()) {
        rejected.incrementAndGet();
        continue;
      }
      var prediction =
          ToPrediction.of(
              useCase,
              task,
              batch.get(i),
              s.inference(),
              model.ref(),
              now,
              sentAt.get(i),
              Math.max(0, now - sentAt.get(i)));
      producer.send(
          new ProducerRecord<>(
              predictionsTopic,
              prediction.getRequestId().toString(),
              PredictionJson.json(prediction)));
    }
    batch.clear();
    sentAt.clear();
  }

  /** Requests that could not be parsed or scored (none, with the bench's own requests). */
  long rejected() {
    return rejected.get();
  }

  @Override
  public void check() {
    if (failure != null) {
      throw new IllegalStateException("the plain loop failed: " + failure, failure);
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      producer.close(Duration.ofSeconds(5));
      consumer.close(Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      System.err.println("bench: closing the plain loop's clients: " + e);
    }
  }
}
