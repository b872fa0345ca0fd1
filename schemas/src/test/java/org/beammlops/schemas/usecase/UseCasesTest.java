package org.beammlops.schemas.usecase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UseCasesTest {
  private static final String PATH_PROPERTY = "mlops.usecase.path";

  /** A tiny schema: an id, an event time, one feature and one label. */
  private static final String TINY_SCHEMA =
      """
      {"type": "record", "name": "Tiny", "namespace": "test.tiny", "fields": [
        {"name": "key", "type": ["null", "string"], "default": null, "mlops": {"role": "id"}},
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"},
         "mlops": {"role": "event_time"}},
        {"name": "size", "type": "double", "mlops": {"role": "feature", "min": 0}},
        {"name": "colour", "type": "string", "mlops": {"role": "feature"}},
        {"name": "price", "type": ["null", "double"], "default": null,
         "mlops": {"role": "label"}}
      ]}
      """;

  @TempDir Path dir;

  private String previousPath;
  private boolean pathSet;

  @AfterEach
  void restorePath() {
    if (pathSet) {
      if (previousPath == null) {
        System.clearProperty(PATH_PROPERTY);
      } else {
        System.setProperty(PATH_PROPERTY, previousPath);
      }
    }
  }

  private void usePath(Path path) {
    previousPath = System.getProperty(PATH_PROPERTY);
    pathSet = true;
    System.setProperty(PATH_PROPERTY, path.toString());
  }

  private void writeUseCase(String name, String yaml, String schema) throws IOException {
    Path ucDir = Files.createDirectories(dir.resolve(name));
    Files.writeString(ucDir.resolve("usecase.yaml"), yaml, StandardCharsets.UTF_8);
    Files.writeString(ucDir.resolve(name + ".avsc"), schema, StandardCharsets.UTF_8);
  }

  @Test
  void flightsFieldsRolesKindsAndTypes() {
    UseCase flights = UseCases.load("flights");
    assertEquals("flights", flights.name());
    assertFalse(flights.description().isBlank());
    List<String> names = flights.fields().stream().map(FieldSpec::name).toList();
    assertEquals(List.of("id", "date", "delay", "distance", "origin", "destination"), names);

    FieldSpec id = flights.field("id");
    assertEquals(FieldSpec.Role.ID, id.role());
    assertEquals(FieldSpec.ValueType.STRING, id.type());
    assertTrue(id.nullable());
    assertEquals("id", flights.idField().orElseThrow().name());

    FieldSpec date = flights.field("date");
    assertEquals(FieldSpec.Role.EVENT_TIME, date.role());
    assertEquals(FieldSpec.ValueType.TIMESTAMP_MILLIS, date.type());
    assertFalse(date.nullable());
    assertEquals("date", flights.eventTime().orElseThrow().name());

    FieldSpec delay = flights.field("delay");
    assertEquals(FieldSpec.Role.LABEL, delay.role());
    assertEquals(FieldSpec.Kind.NUMERIC, delay.kind());
    assertEquals(FieldSpec.ValueType.LONG, delay.type());
    assertTrue(delay.nullable());

    FieldSpec distance = flights.field("distance");
    assertEquals(FieldSpec.Role.FEATURE, distance.role());
    assertEquals(FieldSpec.Kind.NUMERIC, distance.kind());
    assertEquals(FieldSpec.ValueType.LONG, distance.type());
    assertFalse(distance.nullable());

    for (String airport : List.of("origin", "destination")) {
      FieldSpec field = flights.field(airport);
      assertEquals(FieldSpec.Role.FEATURE, field.role(), airport);
      assertEquals(FieldSpec.Kind.CATEGORICAL, field.kind(), airport);
      assertEquals(FieldSpec.ValueType.STRING, field.type(), airport);
    }
    assertEquals(
        List.of("distance", "origin", "destination"),
        flights.features().stream().map(FieldSpec::name).toList());
  }

  @Test
  void namesBuiltFromTheUseCase() {
    UseCase flights = UseCases.load("flights");
    Task delay15 = flights.task("delay15");
    assertEquals("flights-delay15", flights.modelName(delay15));
    assertEquals("mlops-score-flights-delay15", flights.consumerGroup("score", delay15));
    assertEquals("mlops-ingest-flights", flights.consumerGroup("ingest", null));
  }

  @Test
  void flightsBoundsAndPatterns() {
    UseCase flights = UseCases.load("flights");
    FieldSpec distance = flights.field("distance");
    assertEquals(1.0, distance.min().orElseThrow());
    assertEquals(10000.0, distance.max().orElseThrow());
    FieldSpec delay = flights.field("delay");
    assertEquals(-1440.0, delay.min().orElseThrow());
    assertEquals(2880.0, delay.max().orElseThrow());
    FieldSpec date = flights.field("date");
    assertEquals("1987-01-01T00:00:00", date.minText().orElseThrow());
    assertEquals("2100-01-01T00:00:00", date.maxText().orElseThrow());
    assertTrue(date.min().isEmpty(), "a timestamp's bounds are text, not numbers");
    FieldSpec origin = flights.field("origin");
    assertTrue(origin.pattern().orElseThrow().matcher("LAX").matches());
    assertFalse(origin.pattern().orElseThrow().matcher("ab1").matches());
    assertFalse(origin.pattern().orElseThrow().matcher("ABCD").matches());
    assertTrue(flights.field("id").pattern().isEmpty());
  }

  @Test
  void flightsTasks() {
    UseCase flights = UseCases.load("flights");
    assertEquals(List.of("delay", "delay15"), flights.tasks().stream().map(Task::name).toList());
    Task delay = flights.task("delay");
    assertEquals(Task.Type.REGRESSION, delay.type());
    assertEquals("delay", delay.label());
    assertEquals(16.0, delay.target(16L));
    assertEquals(-3.0, delay.target(-3));
    assertNull(delay.target(null));

    Task delay15 = flights.task("delay15");
    assertEquals(Task.Type.CLASSIFICATION, delay15.type());
    assertEquals("delay", delay15.label());
    assertEquals(1.0, delay15.target(16));
    assertEquals(0.0, delay15.target(15));
    assertEquals(0.0, delay15.target(-20L));
    assertNull(delay15.target(null));

    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> flights.task("nope"));
    assertTrue(unknown.getMessage().contains("delay15"), unknown.getMessage());
  }

  @Test
  void flightsDerivedFeaturesTopicsAndConfig() {
    UseCase flights = UseCases.load("flights");
    assertEquals(
        List.of("hour_of_day", "day_of_week", "month"),
        flights.derivedFeatures().stream().map(DerivedFeature::name).toList());
    for (DerivedFeature d : flights.derivedFeatures()) {
      assertEquals("date", d.from());
    }
    // 2001-01-01T06:05Z was a Monday.
    long millis = 978329100000L;
    assertEquals(6, DerivedFeature.Function.HOUR_OF_DAY.apply(millis, ZoneId.of("UTC")));
    assertEquals(1, DerivedFeature.Function.DAY_OF_WEEK.apply(millis, ZoneId.of("UTC")));
    assertEquals(1, DerivedFeature.Function.MONTH.apply(millis, ZoneId.of("UTC")));

    Topics topics = flights.topics();
    assertEquals("flights.requests", topics.requests());
    assertEquals("flights.predictions", topics.predictions());
    assertEquals("flights.feedback", topics.feedback());
    assertEquals("flights.dlq", topics.dlq());
    assertEquals("flights.metrics", topics.metrics());
    assertEquals("flights.alerts", topics.alerts());
    assertEquals(6, topics.all().size());

    assertEquals(ZoneId.of("UTC"), flights.timeZone());
    assertEquals(UseCase.UnknownFieldPolicy.IGNORE, flights.unknownFieldPolicy());
    assertEquals(Duration.ofHours(1), flights.dedupTtl());
  }

  @Test
  void flightsLakeSchemaAddsProvenance() {
    UseCase flights = UseCases.load("flights");
    Schema schema = flights.schema();
    Schema lake = flights.lakeSchema();
    assertEquals(schema.getFullName(), lake.getFullName());
    assertEquals(schema.getFields().size() + 2, lake.getFields().size());
    for (Schema.Field field : schema.getFields()) {
      assertNotNull(lake.getField(field.name()), field.name());
    }
    Schema.Field source = lake.getField(UseCase.SOURCE_FIELD);
    Schema.Field position = lake.getField(UseCase.POSITION_FIELD);
    assertEquals("ingest_source", source.name());
    assertEquals("ingest_position", position.name());
    assertEquals(Schema.Type.STRING, source.schema().getType());
    assertEquals(Schema.Type.LONG, position.schema().getType());
    assertNull(schema.getField(UseCase.SOURCE_FIELD), "the use-case schema itself is unchanged");
    // The lake schema keeps the timestamp logical type and the mlops annotations.
    assertEquals("timestamp-millis", lake.getField("date").schema().getLogicalType().getName());
    assertNotNull(lake.getField("distance").getObjectProp("mlops"));
  }

  @Test
  void unknownFieldNameListsKnownFields() {
    UseCase flights = UseCases.load("flights");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> flights.field("speed"));
    assertTrue(e.getMessage().contains("speed"), e.getMessage());
    assertTrue(e.getMessage().contains("distance"), e.getMessage());
  }

  @Test
  void knownListsFlights() {
    assertTrue(UseCases.known().contains("flights"), UseCases.known().toString());
  }

  @Test
  void unknownUseCaseListsKnownOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> UseCases.load("trains"));
    assertTrue(e.getMessage().contains("trains"), e.getMessage());
    assertTrue(e.getMessage().contains("flights"), e.getMessage());
  }

  @Test
  void invalidUseCaseNamesAreRejected() {
    for (String name : new String[] {"", " ", "../flights", "flights/usecase", null}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> UseCases.load(name), "" + name);
      assertTrue(e.getMessage().contains("flights"), e.getMessage());
    }
  }

  @Test
  void loadsUseCaseFromSearchPath() throws IOException {
    writeUseCase(
        "tiny",
        """
        name: tiny
        description: a tiny test use case
        schema: tiny.avsc
        timeZone: Europe/Paris
        unknownFields: reject
        derivedFeatures:
          - {name: hour, from: at, function: hour_of_day}
        tasks:
          - {name: price, type: regression, label: price}
          - {name: expensive, type: classification, label: price, positiveAbove: 100}
        topics:
          requests: custom.requests
        dedupTtl: PT10M
        """,
        TINY_SCHEMA);
    usePath(dir);

    assertTrue(UseCases.known().contains("tiny"), UseCases.known().toString());
    assertTrue(UseCases.known().contains("flights"), UseCases.known().toString());
    UseCase tiny = UseCases.load("tiny");
    assertEquals("tiny", tiny.name());
    assertEquals("a tiny test use case", tiny.description());
    assertEquals(
        List.of("key", "at", "size", "colour", "price"),
        tiny.fields().stream().map(FieldSpec::name).toList());
    assertEquals("key", tiny.idField().orElseThrow().name());
    assertEquals("at", tiny.eventTime().orElseThrow().name());
    // Kinds default from the type when a feature or label does not name one.
    assertEquals(FieldSpec.Kind.NUMERIC, tiny.field("size").kind());
    assertEquals(FieldSpec.Kind.CATEGORICAL, tiny.field("colour").kind());
    assertEquals(FieldSpec.Kind.NUMERIC, tiny.field("price").kind());
    assertEquals(FieldSpec.ValueType.DOUBLE, tiny.field("size").type());
    assertEquals(0.0, tiny.field("size").min().orElseThrow());
    assertEquals(ZoneId.of("Europe/Paris"), tiny.timeZone());
    assertEquals(UseCase.UnknownFieldPolicy.REJECT, tiny.unknownFieldPolicy());
    assertEquals(Duration.ofMinutes(10), tiny.dedupTtl());
    assertEquals(1.0, tiny.task("expensive").target(100.5));
    assertEquals(0.0, tiny.task("expensive").target(100));
    assertEquals("custom.requests", tiny.topics().requests());
    assertEquals("tiny.predictions", tiny.topics().predictions(), "unset topics default");
    assertEquals("hour", tiny.derivedFeatures().get(0).name());
  }

  @Test
  void missingSearchPathDirectoryIsIgnored() throws IOException {
    usePath(dir.resolve("does-not-exist"));
    // A missing directory on the path holds no use case; bundled ones still load.
    assertEquals("flights", UseCases.load("flights").name());
    assertTrue(UseCases.known().contains("flights"));
  }

  @Test
  void unknownConfigKeyIsRejected() throws IOException {
    writeUseCase(
        "typo",
        """
        name: typo
        schema: typo.avsc
        taks:
          - {name: price, type: regression, label: price}
        """,
        TINY_SCHEMA);
    usePath(dir);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> UseCases.load("typo"));
    assertTrue(e.getMessage().contains("taks"), e.getMessage());
  }

  @Test
  void taskOnNonLabelFieldIsRejected() throws IOException {
    writeUseCase(
        "badtask",
        """
        name: badtask
        schema: badtask.avsc
        tasks:
          - {name: size, type: regression, label: key}
        """,
        TINY_SCHEMA);
    usePath(dir);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> UseCases.load("badtask"));
    assertTrue(e.getMessage().contains("'key' is role id"), e.getMessage());
  }

  @Test
  void taskOnMissingFieldIsRejected() throws IOException {
    writeUseCase(
        "nofield",
        """
        name: nofield
        schema: nofield.avsc
        tasks:
          - {name: weight, type: regression, label: weight}
        """,
        TINY_SCHEMA);
    usePath(dir);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> UseCases.load("nofield"));
    assertTrue(e.getMessage().contains("weight"), e.getMessage());
  }

  @Test
  void classificationWithoutThresholdIsRejected() throws IOException {
    writeUseCase(
        "nothreshold",
        """
        name: nothreshold
        schema: nothreshold.avsc
        tasks:
          - {name: expensive, type: classification, label: price}
        """,
        TINY_SCHEMA);
    usePath(dir);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> UseCases.load("nothreshold"));
    assertTrue(e.getMessage().contains("positiveAbove"), e.getMessage());
  }

  @Test
  void schemaWithoutEventTimeIsAUseCasePartitionedAsOne() throws IOException {
    writeUseCase(
        "notime",
        """
        name: notime
        schema: notime.avsc
        tasks:
          - {name: big, type: classification, label: size, positiveAbove: 3, features: [colour]}
        """,
        """
        {"type": "record", "name": "NoTime", "fields": [
          {"name": "size", "type": "double", "mlops": {"role": "feature"}},
          {"name": "colour", "type": "string", "mlops": {"role": "feature"}}
        ]}
        """);
    usePath(dir);
    UseCase noTime = UseCases.load("notime");
    assertTrue(noTime.eventTime().isEmpty());
    assertEquals(UseCase.Partitioning.NONE, noTime.partitioning());
    assertEquals(List.of("colour"), noTime.task("big").features());
  }

  @Test
  void unsupportedUnionIsRejectedNamingTheField() throws IOException {
    writeUseCase(
        "union",
        """
        name: union
        schema: union.avsc
        """,
        """
        {"type": "record", "name": "U", "fields": [
          {"name": "at", "type": "long", "mlops": {"role": "event_time"}},
          {"name": "either", "type": ["null", "string", "long"], "default": null}
        ]}
        """);
    usePath(dir);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> UseCases.load("union"));
    assertTrue(e.getMessage().contains("either"), e.getMessage());
  }

  @Test
  void misspelledAnnotationNamesTheField() throws IOException {
    // FieldSpec.of promises "a message naming the field when it is wrong".
    writeUseCase(
        "typorole",
        """
        name: typorole
        schema: typorole.avsc
        """,
        """
        {"type": "record", "name": "T", "fields": [
          {"name": "at", "type": "long", "mlops": {"role": "event_time"}},
          {"name": "price", "type": "double", "mlops": {"role": "lable"}}
        ]}
        """);
    writeUseCase(
        "typokind",
        """
        name: typokind
        schema: typokind.avsc
        """,
        """
        {"type": "record", "name": "T", "fields": [
          {"name": "at", "type": "long", "mlops": {"role": "event_time"}},
          {"name": "colour", "type": "string", "mlops": {"role": "feature", "kind": "categoric"}}
        ]}
        """);
    usePath(dir);
    IllegalArgumentException role =
        assertThrows(IllegalArgumentException.class, () -> UseCases.load("typorole"));
    assertTrue(role.getMessage().contains("price"), role.getMessage());
    IllegalArgumentException kind =
        assertThrows(IllegalArgumentException.class, () -> UseCases.load("typokind"));
    assertTrue(kind.getMessage().contains("colour"), kind.getMessage());
  }

  @Test
  void useCaseIsSerializableAndKeepsItsSchema() throws Exception {
    UseCase flights = UseCases.load("flights");
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(flights);
    }
    UseCase copy;
    try (java.io.ObjectInputStream in =
        new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (UseCase) in.readObject();
    }
    assertEquals(flights.schema(), copy.schema());
    assertEquals(flights.lakeSchema(), copy.lakeSchema());
    assertTrue(copy.field("origin").pattern().orElseThrow().matcher("SFO").matches());
  }
}
