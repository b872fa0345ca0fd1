package org.beammlops.transforms.feedback;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.beammlops.schemas.Prediction;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.deadletter.ErrorType;
import org.beammlops.transforms.deadletter.RejectedRecordException;
import org.beammlops.transforms.parse.FieldValues;

/**
 * Reads a message of the predictions topic (a {@code Prediction} as the score pipeline writes it:
 * JSON, or Avro binary with {@code --predictionFormat=avro}) into an {@link Outcome} of one task.
 * The encoding is told by the first byte: a JSON object starts with {@code {}, which as the first
 * byte of Avro would be a negative string length, so the two cannot be confused.
 */
public final class PredictionMessages implements Serializable {
  private static final long serialVersionUID = 1L;

  private final UseCase useCase;
  private final Task task;

  private PredictionMessages(UseCase useCase, Task task) {
    this.useCase = useCase;
    this.task = task;
  }

  /** The reader of {@code task}'s predictions of {@code useCase}. */
  public static PredictionMessages of(UseCase useCase, Task task) {
    return new PredictionMessages(useCase, task);
  }

  /** The prediction's event time, or null when it cannot be read: for the timestamp policy. */
  public Long eventTimeOrNull(byte[] payload) {
    try {
      return decode(payload).getEventTime().toEpochMilli();
    } catch (RejectedRecordException | RuntimeException e) {
      return null;
    }
  }

  /** The message's prediction, decoded but not yet checked against the task. */
  public Prediction decode(byte[] payload) throws RejectedRecordException {
    if (payload == null || payload.length == 0) {
      throw new RejectedRecordException(ErrorType.EMPTY_RECORD, "empty prediction message");
    }
    return payload[0] == '{' ? json(payload) : avro(payload);
  }

  /** True when the prediction is of this pipeline's use case and task. */
  public boolean isOfTask(Prediction p) {
    return useCase.name().equals(p.getUseCase()) && task.name().equals(p.getTask());
  }

  /** The prediction as an outcome of the task; rejected when it does not fit the task's classes. */
  public Outcome outcome(Prediction p) throws RejectedRecordException {
    double value = p.getPrediction();
    if (!Double.isFinite(value)) {
      throw new RejectedRecordException(
          ErrorType.NOT_FINITE, "prediction " + value + " is not finite");
    }
    long eventTime = p.getEventTime().toEpochMilli();
    if (task.type() == Task.Type.REGRESSION) {
      return new Outcome(
          p.getRequestId(), p.getModelVersion(), eventTime, value, -1, new double[0], null);
    }
    List<String> classes = task.outputClasses();
    int predicted = p.getPredictedClass() == null ? -1 : classes.indexOf(p.getPredictedClass());
    if (predicted < 0) {
      throw new RejectedRecordException(
          ErrorType.UNKNOWN_CLASS,
          "predicted class " + p.getPredictedClass() + " is not one of " + classes);
    }
    if (task.type() == Task.Type.CLASSIFICATION) {
      if (!(value >= 0 && value <= 1)) {
        throw new RejectedRecordException(
            ErrorType.OUT_OF_RANGE, "probability " + value + " is not in [0, 1]");
      }
      return new Outcome(
          p.getRequestId(), p.getModelVersion(), eventTime, value, predicted, new double[0], null);
    }
    Map<String, Double> given = p.getClassProbabilities();
    double[] probabilities = new double[classes.size()];
    for (int c = 0; c < classes.size(); c++) {
      Double q = given == null ? null : given.get(classes.get(c));
      if (q == null || !(q >= 0 && q <= 1)) {
        throw new RejectedRecordException(
            q == null ? ErrorType.MISSING_FIELD : ErrorType.OUT_OF_RANGE,
            "probability of class '"
                + classes.get(c)
                + "' is "
                + (q == null ? "missing" : q + ", not in [0, 1]"));
      }
      probabilities[c] = q;
    }
    return new Outcome(
        p.getRequestId(), p.getModelVersion(), eventTime, value, predicted, probabilities, null);
  }

  private Prediction json(byte[] payload) throws RejectedRecordException {
    JsonNode node;
    try {
      node = FeedbackMessages.JSON.readTree(payload);
    } catch (IOException e) {
      throw new RejectedRecordException(
          ErrorType.MALFORMED_JSON,
          "prediction is not a JSON object: " + FeedbackMessages.firstLine(e.getMessage()));
    }
    if (node == null || !node.isObject()) {
      throw new RejectedRecordException(
          ErrorType.MALFORMED_JSON, "prediction is not a JSON object");
    }
    Prediction.Builder p =
        Prediction.newBuilder()
            .setRequestId(FeedbackMessages.text(node, "requestId"))
            .setUseCase(FeedbackMessages.text(node, "useCase"))
            .setTask(FeedbackMessages.text(node, "task"))
            .setEventTime(instant(node, "eventTime"))
            .setScoredAt(instant(node, "scoredAt"))
            .setModelName(FeedbackMessages.text(node, "modelName"))
            .setModelVersion(FeedbackMessages.text(node, "modelVersion"))
            .setLatencyMillis(number(node, "latencyMillis"))
            .setPrediction(number(node, "prediction"));
    JsonNode predictedClass = node.get("predictedClass");
    if (predictedClass != null && !predictedClass.isNull()) {
      p.setPredictedClass(FeedbackMessages.text(node, "predictedClass"));
    }
    JsonNode probabilities = node.get("classProbabilities");
    Map<String, Double> classProbabilities = new java.util.LinkedHashMap<>();
    if (probabilities != null && probabilities.isObject()) {
      var fields = probabilities.fields();
      while (fields.hasNext()) {
        var e = fields.next();
        if (!e.getValue().isNumber()) {
          throw new RejectedRecordException(
              ErrorType.WRONG_TYPE, "probability of class '" + e.getKey() + "' is not a number");
        }
        classProbabilities.put(e.getKey(), e.getValue().doubleValue());
      }
    }
    p.setClassProbabilities(classProbabilities);
    // the raw features scored, as the streaming drift profiles them: numbers, text or null
    Map<String, Object> features = new java.util.LinkedHashMap<>();
    JsonNode scored = node.get("features");
    if (scored != null && scored.isObject()) {
      var fields = scored.fields();
      while (fields.hasNext()) {
        var e = fields.next();
        JsonNode v = e.getValue();
        features.put(
            e.getKey(), v.isNull() ? null : v.isNumber() ? (Object) v.doubleValue() : v.asText());
      }
    }
    p.setFeatures(features);
    return p.build();
  }

  private static Prediction avro(byte[] payload) throws RejectedRecordException {
    try {
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(payload, null);
      Prediction p = new SpecificDatumReader<>(Prediction.class).read(null, decoder);
      if (!decoder.isEnd()) {
        throw new IOException("bytes left after the record");
      }
      return p;
    } catch (IOException | RuntimeException e) {
      throw new RejectedRecordException(
          ErrorType.MALFORMED_AVRO,
          "prediction is neither a JSON object nor an Avro Prediction record: " + e.getMessage());
    }
  }

  private java.time.Instant instant(JsonNode node, String field) throws RejectedRecordException {
    JsonNode value = node.get(field);
    if (value != null && value.isIntegralNumber()) {
      return java.time.Instant.ofEpochMilli(value.longValue());
    }
    String text = FeedbackMessages.text(node, field);
    return FieldValues.parseTimestamp(text, useCase.timeZone())
        .map(java.time.Instant::ofEpochMilli)
        .orElseThrow(
            () ->
                new RejectedRecordException(
                    ErrorType.MALFORMED_TIMESTAMP,
                    "'" + field + "' " + text + " is not a timestamp"));
  }

  private static double number(JsonNode node, String field) throws RejectedRecordException {
    JsonNode value = node.get(field);
    if (value == null || !value.isNumber()) {
      throw new RejectedRecordException(
          value == null ? ErrorType.MISSING_FIELD : ErrorType.WRONG_TYPE,
          "'" + field + "' is " + (value == null ? "missing" : "not a number: " + value));
    }
    return value.doubleValue();
  }
}
