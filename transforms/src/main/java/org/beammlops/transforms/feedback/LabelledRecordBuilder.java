package org.beammlops.transforms.feedback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.schemas.usecase.FieldSpec;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.deadletter.ErrorType;
import org.beammlops.transforms.deadletter.RejectedRecordException;
import org.beammlops.transforms.parse.RecordParser;

/**
 * Rebuilds a record of the use case from a scored request and its feedback: the request's id, event
 * time and raw features (as the prediction carries them) and each label field's raw value, then
 * reads it with the use case's own {@link RecordParser}, so a labelled record is validated exactly
 * as an ingested one is.
 *
 * <p>A label field's raw value is the feedback's value under the field's own name when no task has
 * that name (the sender gives the raw truth), else the label of a task that determines it exactly:
 * a regression task (its value), a multi-class task (its class name), or a binary task on a text
 * label with exactly two declared values (the positive or the other one). A binary task on a cut
 * ({@code positiveAbove}) cannot give the value back: such a field stays empty unless the sender
 * gives it. Every task's label in the feedback must agree with the rebuilt record (a delay of 5
 * minutes with {@code delay15: true} is rejected, naming both).
 */
public final class LabelledRecordBuilder implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final UseCase useCase;
  private transient RecordParser parser;

  public LabelledRecordBuilder(UseCase useCase) {
    this.useCase = useCase;
  }

  /** The text that is parsed (and kept in a dead letter when rejected). */
  public byte[] json(LabelledRequest request) {
    ObjectNode node = JSON.createObjectNode();
    useCase.idField().ifPresent(f -> node.put(f.name(), request.requestId()));
    useCase
        .eventTime()
        .ifPresent(
            f ->
                node.put(
                    f.name(),
                    LocalDateTime.ofInstant(
                            Instant.ofEpochMilli(request.eventTime()), useCase.timeZone())
                        .toString()));
    for (FieldSpec f : useCase.fields()) {
      if (f.role() == FieldSpec.Role.FEATURE && request.features().containsKey(f.name())) {
        node.putPOJO(f.name(), request.features().get(f.name()));
      }
    }
    // a task's label may be a feature of another task: the request's own value stays, and the
    // feedback has to agree with it (checked on the record)
    rawLabels(request.labels())
        .forEach(
            (name, value) -> {
              if (!node.has(name)) {
                node.putPOJO(name, value);
              }
            });
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The lake record (the use case's lake schema, provenance {@code source} and {@code position}),
   * or the reason it is not one.
   */
  public GenericRecord build(LabelledRequest request, byte[] json) throws RejectedRecordException {
    if (parser == null) {
      parser = new RecordParser(useCase);
    }
    GenericRecord record = parser.fromJson(json, request.source(), request.offset());
    checkTasksAgree(record, request.labels());
    return record;
  }

  /**
   * The raw value that {@code labels} determine of each label field (role label, or any task's
   * label); fields they do not determine are left out.
   */
  public Map<String, Object> rawLabels(Map<String, Object> labels) {
    Map<String, Object> raw = new LinkedHashMap<>();
    for (FieldSpec field : useCase.fields()) {
      boolean someTasksLabel =
          useCase.tasks().stream().anyMatch(t -> t.label().equals(field.name()));
      if (field.role() != FieldSpec.Role.LABEL && !someTasksLabel) {
        continue;
      }
      Object value = null;
      if (labels.get(field.name()) != null && !isTaskName(field.name())) {
        value = labels.get(field.name());
      }
      for (Task task : useCase.tasks()) {
        if (value == null && task.label().equals(field.name())) {
          value = rawValue(task, labels.get(task.name()));
        }
      }
      if (value != null) {
        raw.put(field.name(), value);
      }
    }
    return raw;
  }

  /** True when at least one label field can be rebuilt: a record worth writing. */
  public boolean hasRawLabel(Map<String, Object> labels) {
    return !rawLabels(labels).isEmpty();
  }

  private boolean isTaskName(String name) {
    return useCase.tasks().stream().anyMatch(t -> t.name().equals(name));
  }

  /** The raw label value {@code task}'s label gives, or null when it cannot be known from it. */
  private Object rawValue(Task task, Object label) {
    if (label == null) {
      return null;
    }
    switch (task.type()) {
      case REGRESSION:
        return label instanceof Double ? label : null;
      case MULTICLASS:
        return label instanceof String ? label : null;
      default:
        List<String> declared = task.classes();
        if (task.positive() == Task.Positive.ABOVE || declared.size() != 2) {
          return null;
        }
        Double target;
        try {
          target = FeedbackMessages.of(useCase, task).target(label);
        } catch (RejectedRecordException e) {
          return null; // ParseFeedback makes the message a dead letter
        }
        String other =
            declared.get(0).equals(task.positiveValue()) ? declared.get(1) : declared.get(0);
        boolean positive = target == 1.0;
        boolean isNamedClass = (task.positive() == Task.Positive.EQUALS) == positive;
        return isNamedClass ? task.positiveValue() : other;
    }
  }

  private void checkTasksAgree(GenericRecord record, Map<String, Object> labels)
      throws RejectedRecordException {
    for (Task task : useCase.tasks()) {
      Object given = labels.get(task.name());
      Object raw = record.get(task.label());
      if (given == null || raw == null) {
        continue;
      }
      Double fromFeedback = FeedbackMessages.of(useCase, task).target(given);
      Double fromRecord = task.target(raw instanceof CharSequence s ? s.toString() : raw);
      if (fromRecord == null || Double.compare(fromFeedback, fromRecord) != 0) {
        throw new RejectedRecordException(
            ErrorType.INCONSISTENT_LABELS,
            "feedback labels disagree: "
                + task.label()
                + " = "
                + raw
                + " makes task '"
                + task.name()
                + "' "
                + describe(task, fromRecord)
                + ", the feedback says "
                + given);
      }
    }
  }

  private static String describe(Task task, Double target) {
    if (target == null) {
      return "undefined";
    }
    return task.type() == Task.Type.REGRESSION
        ? String.valueOf(target)
        : task.outputClasses().get(target.intValue());
  }
}
