package org.beammlops.pipelines.ingest;

import static org.beammlops.pipelines.testing.FlightsTestData.utf8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.beammlops.pipelines.replay.ReplayOptions;
import org.beammlops.pipelines.replay.ReplayPipeline;
import org.beammlops.pipelines.testing.EmbeddedKafka;
import org.beammlops.pipelines.testing.FlightsTestData;
import org.beammlops.pipelines.testing.FlightsTestData.Flight;
import org.beammlops.pipelines.testing.LakeFiles;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.lake.Lake;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Ingest from a Kafka topic and from a watched folder, against a real broker and real files. */
public class StreamingIngestIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @ClassRule public static final EmbeddedKafka KAFKA = new EmbeddedKafka();
  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  @Test
  public void ingestsATopicAndSendsItsRejectsToTheDlq() throws Exception {
    KAFKA.createTopics(2, "topic.requests", "topic.feedback", "flights.dlq");
    List<Flight> flights = FlightsTestData.firstRows(400);
    List<byte[]> lines = new ArrayList<>();
    lines.add(utf8(FlightsTestData.CSV_HEADER));
    flights.forEach(f -> lines.add(utf8(f.csv())));
    Path csv = FlightsTestData.writeLines(temp.newFile("flights.csv").toPath(), lines);
    ReplayPipeline.run(
        PipelineOptionsFactory.fromArgs(
                "--runner=DirectRunner",
                "--input=" + csv,
                "--bootstrapServers=" + KAFKA.bootstrapServers(),
                "--requestsTopic=topic.requests",
                "--feedbackTopic=topic.feedback",
                "--badRecords=0.05")
            .as(ReplayOptions.class));

    Path lake = temp.getRoot().toPath().resolve("lake");
    Map<String, Object> counters =
        IngestPipeline.run(
            PipelineOptionsFactory.fromArgs(
                    "--runner=DirectRunner",
                    "--fromTopic=topic.requests",
                    "--bootstrapServers=" + KAFKA.bootstrapServers(),
                    "--maxRecords=420",
                    "--lake=" + lake)
                .as(IngestOptions.class));
    assertEquals(counters.toString(), 420L, ((Number) counters.get("read")).longValue());
    assertEquals(counters.toString(), 400L, ((Number) counters.get("valid")).longValue());
    assertEquals(counters.toString(), 20L, ((Number) counters.get("deadLetter")).longValue());
    assertEquals(400, LakeFiles.readAll(lake.resolve("flights/events")).size());
    assertEquals(20, LakeFiles.readAll(lake.resolve("flights/deadletter")).size());

    List<ConsumerRecord<String, byte[]>> dlq =
        KAFKA.readAll("flights.dlq", 20, Duration.ofSeconds(60));
    assertEquals(20, dlq.size());
    for (ConsumerRecord<String, byte[]> message : dlq) {
      JsonNode node = JSON.readTree(message.value());
      assertTrue(node.get("source").asText().startsWith("topic.requests-"));
      assertTrue(!node.get("reason").asText().isBlank());
      assertTrue(node.has("payloadBase64"));
    }
  }

  @Test
  public void watchIngestsEachNewFileAsItArrives() throws Exception {
    Path input = temp.newFolder("incoming").toPath();
    Path lakeDir = temp.getRoot().toPath().resolve("lake");
    IngestOptions options =
        PipelineOptionsFactory.fromArgs(
                "--runner=DirectRunner",
                "--blockOnRun=false",
                "--input=" + input + "/*.csv",
                "--watch=true",
                "--watchIntervalSeconds=1",
                "--commitIntervalSeconds=1",
                "--lake=" + lakeDir)
            .as(IngestOptions.class);
    Pipeline pipeline =
        IngestPipeline.build(
            options, UseCases.load("flights"), Lake.at(lakeDir.toString(), "flights"));
    PipelineResult result = pipeline.run();
    try {
      List<Flight> flights = FlightsTestData.firstRows(60);
      writeBatch(input.resolve("batch-1.csv"), flights.subList(0, 30));
      awaitRows(lakeDir, 30);
      writeBatch(input.resolve("batch-2.csv"), flights.subList(30, 60));
      List<GenericRecord> rows = awaitRows(lakeDir, 60);
      Set<String> sources =
          rows.stream()
              .map(r -> Path.of(r.get("ingest_source").toString()).getFileName().toString())
              .collect(Collectors.toSet());
      assertEquals(Set.of("batch-1.csv", "batch-2.csv"), sources);
      assertEquals(
          60, new HashSet<>(rows.stream().map(r -> r.get("id").toString()).toList()).size());
    } finally {
      result.cancel();
    }
  }

  private static void writeBatch(Path file, List<Flight> flights) throws Exception {
    List<byte[]> lines = new ArrayList<>();
    lines.add(utf8(FlightsTestData.CSV_HEADER));
    flights.forEach(f -> lines.add(utf8(f.csv())));
    Path staging = file.resolveSibling(file.getFileName() + ".tmp");
    FlightsTestData.writeLines(staging, lines);
    Files.move(staging, file); // appear whole, as a well-behaved producer of batches does
  }

  /** Polls the lake until it holds {@code expected} rows; fails after a minute. */
  private static List<GenericRecord> awaitRows(Path lake, int expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<GenericRecord> rows = List.of();
    while (System.nanoTime() < deadline) {
      rows = LakeFiles.readAll(lake.resolve("flights/events"));
      if (rows.size() >= expected) {
        assertEquals(expected, rows.size());
        return rows;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("lake holds " + rows.size() + " rows, expected " + expected);
  }
}
