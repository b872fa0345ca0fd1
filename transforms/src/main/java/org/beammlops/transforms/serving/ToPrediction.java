package org.beammlops.transforms.serving;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.transforms.DoFn;
import org.beammlops.schemas.Prediction;
import org.beammlops.schemas.usecase.FieldSpec;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.inference.ModelOutput;
import org.beammlops.transforms.inference.ModelRef;
import org.beammlops.transforms.inference.PredictionResult;

/**
 * A scored request as the platform's {@link Prediction} record: request id, event time, when and by
 * which model version it was scored, the prediction (for a classifier its class probabilities and
 * the class the model predicts at its decision threshold), the latency from the request's Kafka
 * create time (its send time), and the raw feature values, which the drift pipeline profiles.
 */
public final class ToPrediction
    extends DoFn<PredictionResult<GenericRecord, ModelOutput>, Prediction> {
  private final UseCase useCase;
  private final Task task;
  private final boolean latencyFromSend;

  /** For requests read from a topic: the latency runs from the request's send time. */
  public static ToPrediction fromRequests(UseCase useCase, Task task) {
    return new ToPrediction(useCase, task, true);
  }

  private ToPrediction(UseCase useCase, Task task, boolean latencyFromSend) {
    this.useCase = useCase;
    this.task = task;
    this.latencyFromSend = latencyFromSend;
  }

  /**
   * For records that were never sent as requests (batch scoring of files): the latency is the
   * model's time for the batch the record was scored in.
   */
  public static ToPrediction withBatchLatency(UseCase useCase, Task task) {
    return new ToPrediction(useCase, task, false);
  }

  @ProcessElement
  public void process(ProcessContext c) {
    PredictionResult<GenericRecord, ModelOutput> result = c.element();
    long now = System.currentTimeMillis();
    c.output(
        of(
            useCase,
            task,
            result.example(),
            result.inference(),
            result.model(),
            now,
            latencyFromSend ? c.timestamp().getMillis() : now,
            latencyFromSend
                ? Math.max(0, now - c.timestamp().getMillis())
                : result.latencyMillis()));
  }

  /**
   * The prediction record of one scored request. Public so that the hand-written baseline of {@code
   * bench score} publishes exactly what the pipeline publishes, at the same cost.
   */
  public static Prediction of(
      UseCase useCase,
      Task task,
      GenericRecord request,
      ModelOutput output,
      ModelRef model,
      long scoredAtMillis,
      long arrivedAtMillis,
      double latencyMillis) {
    Prediction.Builder p =
        Prediction.newBuilder()
            .setRequestId(String.valueOf(request.get(useCase.idField().orElseThrow().name())))
            .setUseCase(useCase.name())
            .setTask(task.name())
            .setEventTime(eventTime(useCase, request, arrivedAtMillis))
            .setScoredAt(java.time.Instant.ofEpochMilli(scoredAtMillis))
            .setModelName(model.name())
            .setModelVersion(model.version())
            .setPrediction(output.value())
            .setLatencyMillis(latencyMillis)
            .setFeatures(features(request, useCase.features(task)));
    List<String> classes = task.outputClasses();
    if (task.type() == Task.Type.CLASSIFICATION) {
      double positive = output.value();
      p.setPredictedClass(classes.get(output.predictedClass()));
      p.setClassProbabilities(Map.of(classes.get(0), 1 - positive, classes.get(1), positive));
    } else if (task.type() == Task.Type.MULTICLASS) {
      double[] probabilities = output.values();
      Map<String, Double> byClass = new LinkedHashMap<>();
      for (int k = 0; k < classes.size(); k++) {
        byClass.put(classes.get(k), probabilities[k]);
      }
      p.setPredictedClass(classes.get(output.predictedClass()));
      p.setPrediction(probabilities[output.predictedClass()]);
      p.setClassProbabilities(byClass);
    }
    return p.build();
  }

  /** The request's event time; without one (none in the use case, or absent), when it arrived. */
  private static java.time.Instant eventTime(
      UseCase useCase, GenericRecord request, long arrivedAtMillis) {
    Object t = useCase.eventTime().map(f -> request.get(f.name())).orElse(null);
    if (t == null) {
      return java.time.Instant.ofEpochMilli(arrivedAtMillis);
    }
    return t instanceof java.time.Instant i ? i : java.time.Instant.ofEpochMilli((Long) t);
  }

  private static Map<String, Object> features(GenericRecord request, List<FieldSpec> fields) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (FieldSpec f : fields) {
      Object v = request.get(f.name());
      out.put(
          f.name(),
          v == null
              ? null
              : f.kind() == FieldSpec.Kind.NUMERIC && v instanceof Number n
                  ? (Object) n.doubleValue()
                  : v.toString());
    }
    return out;
  }
}
