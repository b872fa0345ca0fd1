package org.beammlops.transforms.feedback;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.beammlops.schemas.Feedback;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.deadletter.ErrorType;
import org.beammlops.transforms.deadletter.RejectedRecordException;
import org.beammlops.transforms.parse.FieldValues;

/**
 * Reads a feedback message (the {@code Feedback} record as JSON, or Avro binary) into one task's
 * {@link Truth}. A label is given in the task's own terms: a number for regression; for a binary
 * task 0 or 1, {@code true}/{@code false}, or one of its two class names; for multi-class a class
 * name. Anything else is rejected with the reason, so that it becomes a dead letter.
 */
public final class FeedbackMessages implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Strict: a key given twice is an error, not the last one silently. */
  static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final UseCase useCase;
  private final Task task;

  private FeedbackMessages(UseCase useCase, Task task) {
    this.useCase = useCase;
    this.task = task;
  }

  /** The reader of {@code task}'s truths from {@code useCase}'s feedback. */
  public static FeedbackMessages of(UseCase useCase, Task task) {
    return new FeedbackMessages(useCase, task);
  }

  /** A reader of whole messages ({@link #labels}), for no one task. */
  public static FeedbackMessages ofAnyTask(UseCase useCase) {
    return new FeedbackMessages(useCase, null);
  }

  /**
   * The request's event time, or null when the message cannot be read: for the timestamp policy.
   */
  public Long eventTimeOrNull(byte[] payload) {
    try {
      return read(payload).eventTime();
    } catch (RejectedRecordException | RuntimeException e) {
      return null;
    }
  }

  /** The truth the message gives for the task. */
  public Truth read(byte[] payload) throws RejectedRecordException {
    FeedbackLabels feedback = labels(payload);
    return new Truth(
        feedback.requestId(), feedback.eventTime(), target(feedback.labels().get(task.name())));
  }

  /**
   * Every label the message gives, by name, as JSON or Avro carries it (a number as a double, text,
   * a boolean, or null): what the labelled records are rebuilt from. Not checked against any task.
   */
  public FeedbackLabels labels(byte[] payload) throws RejectedRecordException {
    if (payload == null || payload.length == 0) {
      throw new RejectedRecordException(ErrorType.EMPTY_RECORD, "empty feedback message");
    }
    return payload[0] == '{' ? readJson(payload) : readAvro(payload);
  }

  private FeedbackLabels readJson(byte[] payload) throws RejectedRecordException {
    JsonNode node;
    try {
      node = JSON.readTree(payload);
    } catch (IOException e) {
      throw new RejectedRecordException(
          ErrorType.MALFORMED_JSON, "feedback is not a JSON object: " + firstLine(e.getMessage()));
    }
    if (node == null || !node.isObject()) {
      throw new RejectedRecordException(ErrorType.MALFORMED_JSON, "feedback is not a JSON object");
    }
    String requestId = text(node, "requestId");
    long eventTime = timestamp(node.get("eventTime"));
    JsonNode labels = node.get("labels");
    if (labels == null || !labels.isObject()) {
      throw new RejectedRecordException(
          ErrorType.MISSING_FIELD, "feedback has no 'labels' object (task name -> label)");
    }
    Map<String, Object> values = new LinkedHashMap<>();
    labels
        .fields()
        .forEachRemaining(
            e -> {
              JsonNode label = e.getValue();
              values.put(
                  e.getKey(),
                  label.isNull()
                      ? null
                      : label.isNumber()
                          ? (Object) label.doubleValue()
                          : label.isBoolean()
                              ? (Object) label.booleanValue()
                              : label.isTextual() ? label.textValue() : label);
            });
    return new FeedbackLabels(requestId, eventTime, values);
  }

  private FeedbackLabels readAvro(byte[] payload) throws RejectedRecordException {
    Feedback feedback;
    try {
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(payload, null);
      feedback = new SpecificDatumReader<>(Feedback.class).read(null, decoder);
      if (!decoder.isEnd()) {
        throw new IOException("bytes left after the record");
      }
    } catch (IOException | RuntimeException e) {
      throw new RejectedRecordException(
          ErrorType.MALFORMED_AVRO,
          "feedback is neither a JSON object nor an Avro Feedback record: " + e.getMessage());
    }
    Map<String, Object> values = new LinkedHashMap<>();
    if (feedback.getLabels() != null) {
      feedback
          .getLabels()
          .forEach(
              (k, v) ->
                  values.put(k.toString(), v instanceof CharSequence text ? text.toString() : v));
    }
    return new FeedbackLabels(
        feedback.getRequestId(), feedback.getEventTime().toEpochMilli(), values);
  }

  /** The task's target for a label value from a message. */
  Double target(Object value) throws RejectedRecordException {
    if (value == null) {
      throw new RejectedRecordException(
          ErrorType.MISSING_FIELD, "feedback has no label for task '" + task.name() + "'");
    }
    switch (task.type()) {
      case REGRESSION:
        if (value instanceof Double d && Double.isFinite(d)) {
          return d;
        }
        throw new RejectedRecordException(
            value instanceof Double ? ErrorType.NOT_FINITE : ErrorType.WRONG_TYPE,
            "label "
                + describe(value)
                + " of regression task '"
                + task.name()
                + "' is not a finite number");
      case MULTICLASS:
        if (value instanceof String name) {
          int index = task.classes().indexOf(name);
          if (index >= 0) {
            return (double) index;
          }
          throw new RejectedRecordException(
              ErrorType.UNKNOWN_CLASS,
              "label '" + name + "' of task '" + task.name() + "' is not one of " + task.classes());
        }
        throw new RejectedRecordException(
            ErrorType.WRONG_TYPE,
            "label "
                + describe(value)
                + " of task '"
                + task.name()
                + "' is not a class name; one of "
                + task.classes());
      default:
        List<String> classes = task.outputClasses();
        if (value instanceof Boolean b) {
          return b ? 1.0 : 0.0;
        }
        if (value instanceof Double d && (d == 0.0 || d == 1.0)) {
          return d;
        }
        if (value instanceof String name && classes.contains(name)) {
          return (double) classes.indexOf(name);
        }
        throw new RejectedRecordException(
            value instanceof String ? ErrorType.UNKNOWN_CLASS : ErrorType.WRONG_TYPE,
            "label "
                + describe(value)
                + " of binary task '"
                + task.name()
                + "' is not 0, 1, true, false or one of "
                + classes);
    }
  }

  private long timestamp(JsonNode value) throws RejectedRecordException {
    if (value == null || value.isNull()) {
      throw new RejectedRecordException(ErrorType.MISSING_FIELD, "feedback has no 'eventTime'");
    }
    if (value.isIntegralNumber()) {
      return value.longValue();
    }
    if (value.isTextual()) {
      var parsed = FieldValues.parseTimestamp(value.textValue(), useCase.timeZone());
      if (parsed.isPresent()) {
        return parsed.get();
      }
    }
    throw new RejectedRecordException(
        ErrorType.MALFORMED_TIMESTAMP,
        "feedback 'eventTime' "
            + value
            + " is not a timestamp (e.g. 2001-06-01T08:05:00 or epoch millis)");
  }

  static String text(JsonNode node, String field) throws RejectedRecordException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new RejectedRecordException(ErrorType.MISSING_FIELD, "no '" + field + "'");
    }
    if (!value.isTextual()) {
      throw new RejectedRecordException(
          ErrorType.WRONG_TYPE, "'" + field + "' is not text: " + value);
    }
    return value.textValue();
  }

  private static String describe(Object value) {
    return value instanceof String s ? "'" + s + "'" : String.valueOf(value);
  }

  static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
