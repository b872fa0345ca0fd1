package org.beammlops.pipelines.batch;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The job file: defaults, relative paths, and an error naming the key for each kind of mistake. */
public class BatchPredictConfigTest {
  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private static final Path DIR = Path.of("/jobs/nightly");

  private static BatchPredictConfig parse(String yaml) {
    return BatchPredictConfig.parse(yaml, DIR);
  }

  private static String error(String yaml) {
    return assertThrows(IllegalArgumentException.class, () -> parse(yaml)).getMessage();
  }

  @Test
  public void defaultsAndPathsRelativeToTheJobFile() {
    BatchPredictConfig c =
        parse(
            """
            task: delay15
            source: {type: file, path: ../data/in.csv}
            model:  {uri: "models:/flights-delay15@champion"}
            target: {type: file, path: out/predictions}
            """);
    assertNull("left to the model", c.useCase());
    assertEquals(BatchPredictConfig.DEFAULT_BATCH_SIZE, (int) c.batchSize());
    assertEquals("auto", c.source().format());
    assertEquals("/jobs/data/in.csv", c.source().path());
    assertEquals("models:/flights-delay15@champion", c.model().uri());
    assertNull(c.model().trackingUri());
    assertEquals("json", c.target().format());
    assertEquals("/jobs/nightly/out/predictions", c.target().path());
    assertEquals(0, (int) c.target().shards());
    assertFalse(c.target().overwrite());
  }

  @Test
  public void absolutePathsUrisAndALocalModelDirectory() {
    BatchPredictConfig c =
        parse(
            """
            useCase: flights
            task: delay
            batchSize: 64
            source: {type: file, format: PARQUET, path: "gs://bucket/in/*.parquet"}
            model:  {uri: models/delay, trackingUri: "http://mlflow:5000"}
            target: {type: file, format: csv, path: /tmp/out, shards: 2, overwrite: true}
            """);
    assertEquals(64, (int) c.batchSize());
    assertEquals("parquet", c.source().format());
    assertEquals("gs://bucket/in/*.parquet", c.source().path());
    assertEquals("/jobs/nightly/models/delay", c.model().uri());
    assertEquals("http://mlflow:5000", c.model().trackingUri());
    assertEquals("/tmp/out", c.target().path());
    assertEquals(2, (int) c.target().shards());
    assertTrue(c.target().overwrite());
  }

  @Test
  public void kafkaSourceAndTarget() {
    BatchPredictConfig c =
        parse(
            """
            task: delay15
            source: {type: kafka, topic: flights.requests, bootstrap: "broker:9092", maxRecords: 1000}
            model:  {uri: "models:/flights-delay15/3"}
            target: {type: kafka, topic: flights.batch-predictions, format: avro}
            """);
    assertTrue(c.source().isKafka());
    assertEquals("broker:9092", c.source().bootstrap());
    assertEquals(1000L, (long) c.source().maxRecords());
    assertEquals(0L, (long) c.source().maxReadSeconds());
    assertEquals("auto", c.source().format());
    assertTrue(c.target().isKafka());
    assertEquals("avro", c.target().format());
    assertNull(c.target().bootstrap());
  }

  @Test
  public void anUnknownKeyIsNamedWithItsPath() {
    String message =
        error(
            """
            task: delay15
            source: {type: file, formt: csv}
            model:  {uri: "models:/flights-delay15@champion"}
            target: {type: file, path: out}
            """);
    assertThat(message, containsString("source.formt: unknown key"));
    assertThat(message, containsString("format"));
    assertThat(error("task: delay15\nmodle: {uri: x}\n"), containsString("modle: unknown key"));
  }

  @Test
  public void aWrongTypeIsNamed() {
    String message =
        error(
            """
            task: delay15
            batchSize: many
            source: {type: file, path: in.csv}
            model:  {uri: "models:/flights-delay15@champion"}
            target: {type: file, path: out}
            """);
    assertThat(message, containsString("batchSize: expected a whole number, got 'many'"));
    assertThat(error("task: delay15\nbatchSize: 1.5\n"), containsString("batchSize"));
    assertThat(
        error("task: delay15\nsource: in.csv\n"),
        containsString("source: expected a mapping of keys to values"));
    assertThat(
        error("task: delay15\nsource: {type: kafka, topic: t, maxRecords: lots}\n"),
        containsString("source.maxRecords: expected a whole number, got 'lots'"));
  }

  @Test
  public void missingRequiredKeysAreNamed() {
    String source = "source: {type: file, path: in.csv}\n";
    String model = "model: {uri: \"models:/m@champion\"}\n";
    String target = "target: {type: file, path: out}\n";
    assertThat(
        error("task: delay15\n" + source + "model: {}\n" + target),
        containsString("model.uri (models:/<name>@<alias>"));
    assertThat(error("task: delay15\n" + source + target), containsString("model: required"));
    // useCase and task may be left out: the command takes them from the model
    BatchPredictConfig fromModel = parse(source + model + target);
    assertEquals(null, fromModel.useCase());
    assertEquals(null, fromModel.task());
    assertThat(
        error("task: delay15\nsource: {type: file}\n" + model + target),
        containsString("source.path: required"));
    assertThat(
        error("task: delay15\nsource: {type: kafka, maxRecords: 10}\n" + model + target),
        containsString("source.topic: required"));
    assertThat(
        error("task: delay15\nsource: {type: kafka, topic: t}\n" + model + target),
        containsString("source.maxRecords: required for a kafka source"));
    assertThat(
        error("task: delay15\n" + source + model + "target: {type: file}\n"),
        containsString("target.path: required"));
    assertThat(
        error("task: delay15\n" + source + model + "target: {type: kafka}\n"),
        containsString("target.topic: required"));
    assertThat(
        error("task: delay15\nsource: {path: in.csv}\n" + model + target),
        containsString("source.type (file or kafka): required"));
  }

  @Test
  public void unknownTypesAndFormatsAndMisplacedKeys() {
    String model = "model: {uri: \"models:/m@champion\"}\n";
    String target = "target: {type: file, path: out}\n";
    assertThat(
        error("task: delay15\nsource: {type: s3, path: in.csv}\n" + model + target),
        containsString("source.type: unknown type 's3'; use file or kafka"));
    assertThat(
        error("task: delay15\nsource: {type: file, format: xls, path: in.xls}\n" + model + target),
        containsString("source.format: unknown format 'xls'; use auto, csv, json, parquet"));
    assertThat(
        error(
            "task: delay15\nsource: {type: file, path: in.csv}\n"
                + model
                + "target: {type: file, path: out, format: avro}\n"),
        containsString("target.format: unknown format 'avro'; use json, csv, parquet"));
    assertThat(
        error("task: delay15\nsource: {type: file, path: in.csv, topic: t}\n" + model + target),
        containsString("source.topic: not a setting of a file source"));
    assertThat(
        error("task: delay15\nbatchSize: 0\nsource: {type: file, path: in.csv}\n" + model + target),
        containsString("batchSize: must be at least 1"));
  }

  @Test
  public void syntaxErrorsDuplicatesAndEmptyFiles() throws Exception {
    assertThat(error("task: delay15\nsource: {type: file\n"), containsString("not valid YAML"));
    assertThat(
        error("task: delay15\ntask: delay\n"),
        containsString("not valid YAML: Duplicate field 'task'"));
    Path empty = Files.writeString(temp.newFile("empty.yaml").toPath(), "");
    String message =
        assertThrows(IllegalArgumentException.class, () -> BatchPredictConfig.load(empty))
            .getMessage();
    assertThat(message, containsString("empty.yaml: the job file is empty"));
    Path missing = temp.getRoot().toPath().resolve("nope.yaml");
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> BatchPredictConfig.load(missing))
            .getMessage(),
        containsString("nope.yaml does not exist"));
  }
}
