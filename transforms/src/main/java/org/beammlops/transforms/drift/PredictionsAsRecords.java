package org.beammlops.transforms.drift;

import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.beammlops.schemas.usecase.FieldSpec;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.metrics.PipelineCounters;

/**
 * The prediction log's records of one task as records of the use case, so that they are profiled
 * exactly as the training data was: the request's event time and the raw feature values the model
 * scored, and the prediction itself ({@link UseCase#PREDICTION_FIELD}); labels are absent (they
 * arrive later, as feedback). Another task's predictions are skipped and counted. A feature value
 * the prediction does not have (or that is not finite) is missing: the records have the use case's
 * fields, each one nullable.
 */
public final class PredictionsAsRecords
    extends PTransform<PCollection<GenericRecord>, PCollection<GenericRecord>> {
  public static final String OTHER_TASK = "otherTaskPredictions";

  private final UseCase useCase;
  private final String task;

  private PredictionsAsRecords(UseCase useCase, String task) {
    this.useCase = useCase;
    this.task = task;
  }

  public static PredictionsAsRecords of(UseCase useCase, String task) {
    return new PredictionsAsRecords(useCase, task);
  }

  @Override
  public PCollection<GenericRecord> expand(PCollection<GenericRecord> predictions) {
    return predictions
        .apply(ParDo.of(new ToRecordFn(useCase, task)))
        .setCoder(AvroCoder.of(GenericRecord.class, schema(useCase)));
  }

  /**
   * The use case's fields, each nullable, and {@link UseCase#PREDICTION_FIELD}: the prediction (a
   * probability or value, or a multi-class task's predicted class).
   */
  public static Schema schema(UseCase useCase) {
    Schema base = useCase.schema();
    java.util.List<Schema.Field> fields = new java.util.ArrayList<>();
    for (Schema.Field f : base.getFields()) {
      Schema s = f.schema();
      Schema nullable = s.isNullable() ? s : Schema.createUnion(Schema.create(Schema.Type.NULL), s);
      fields.add(new Schema.Field(f.name(), nullable, f.doc(), Schema.Field.NULL_DEFAULT_VALUE));
    }
    fields.add(
        new Schema.Field(
            UseCase.PREDICTION_FIELD,
            Schema.createUnion(
                Schema.create(Schema.Type.NULL),
                Schema.create(Schema.Type.DOUBLE),
                Schema.create(Schema.Type.STRING)),
            "The task's prediction, for prediction drift.",
            Schema.Field.NULL_DEFAULT_VALUE));
    return Schema.createRecord(
        base.getName(), base.getDoc(), base.getNamespace(), base.isError(), fields);
  }

  /**
   * One prediction (of the log, or decoded from {@code <uc>.predictions}) as a record of {@link
   * #schema}: its event time, raw features and prediction.
   */
  public static GenericRecord record(
      UseCase useCase, Schema schema, boolean multiClass, GenericRecord p) {
    GenericData.Record r = new GenericData.Record(schema);
    if (multiClass) {
      Object predicted = p.get("predictedClass");
      r.put(UseCase.PREDICTION_FIELD, predicted == null ? null : predicted.toString());
    } else if (p.get("prediction") instanceof Double d && Double.isFinite(d)) {
      r.put(UseCase.PREDICTION_FIELD, d); // NaN: missing, as the profile counts it
    }
    useCase.eventTime().ifPresent(f -> r.put(f.name(), ToRecordFn.millis(p.get("eventTime"))));
    Object features = p.get("features");
    if (features instanceof Map<?, ?> values) {
      for (FieldSpec f : useCase.fields()) {
        if (f.role() != FieldSpec.Role.FEATURE) {
          continue;
        }
        Object v = ToRecordFn.value(values, f.name());
        if (v instanceof Double d && !Double.isFinite(d)) {
          continue; // NaN or infinite: missing, as the profile counts it
        }
        if (v != null) {
          r.put(f.name(), ToRecordFn.as(f, v));
        }
      }
    }
    return r;
  }

  private static final class ToRecordFn extends DoFn<GenericRecord, GenericRecord> {
    private final UseCase useCase;
    private final String task;
    private transient Schema schema;
    private transient Counter otherTask;
    private transient boolean multiClass;

    ToRecordFn(UseCase useCase, String task) {
      this.useCase = useCase;
      this.task = task;
    }

    @Setup
    public void setup() {
      schema = schema(useCase);
      multiClass =
          useCase.tasks().stream()
              .anyMatch(t -> t.name().equals(task) && t.type() == Task.Type.MULTICLASS);
      otherTask = PipelineCounters.counter(OTHER_TASK);
    }

    @ProcessElement
    public void process(@Element GenericRecord p, OutputReceiver<GenericRecord> out) {
      if (!task.equals(String.valueOf(p.get("task")))) {
        otherTask.inc();
        return;
      }
      out.output(record(useCase, schema, multiClass, p));
    }

    private static Object value(Map<?, ?> values, String name) {
      for (Map.Entry<?, ?> e : values.entrySet()) {
        if (e.getKey().toString().equals(name)) {
          return e.getValue();
        }
      }
      return null;
    }

    private static Object millis(Object t) {
      return t instanceof java.time.Instant i ? i.toEpochMilli() : t;
    }

    /** The value in the field's own type, as the lake holds it. */
    private static Object as(FieldSpec f, Object v) {
      if (v instanceof Number n) {
        return switch (f.type()) {
          case LONG -> Math.round(n.doubleValue());
          case INT -> (int) Math.round(n.doubleValue());
          case FLOAT -> n.floatValue();
          case DOUBLE -> n.doubleValue();
          default -> n.toString();
        };
      }
      return v.toString();
    }
  }
}
