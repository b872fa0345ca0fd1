package org.beammlops.pipelines.replay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.beammlops.schemas.usecase.FieldSpec;
import org.beammlops.schemas.usecase.UseCase;

/**
 * Malformed messages for testing the consumers' dead-letter paths, made from a valid record so that
 * each breaks exactly one rule. The kinds cycle, so any share above a few percent has them all.
 */
public final class BadMessages {
  /** The kinds, in the order they cycle; names match the dead-letter error types they provoke. */
  public enum Kind {
    MALFORMED_JSON,
    WRONG_TYPE,
    MISSING_FIELD,
    NOT_FINITE,
    OUT_OF_RANGE,
    EMPTY_RECORD,
    NOT_UTF8,
    MALFORMED_TIMESTAMP,
    MALFORMED_NUMBER
  }

  private final UseCase useCase;
  private final String numericFeature;
  private final String requiredField;

  public BadMessages(UseCase useCase) {
    this.useCase = useCase;
    this.numericFeature =
        useCase.features().stream()
            .filter(f -> f.kind() == FieldSpec.Kind.NUMERIC)
            .map(FieldSpec::name)
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("use case has no numeric feature"));
    this.requiredField =
        useCase.features().stream()
            .filter(f -> !f.nullable())
            .map(FieldSpec::name)
            .findFirst()
            .orElse(numericFeature);
  }

  public static Kind kind(long index) {
    return Kind.values()[(int) (index % Kind.values().length)];
  }

  /** A malformed payload of the given kind, derived from a valid record's JSON form. */
  public byte[] make(Kind kind, ObjectNode valid) {
    ObjectNode node = valid.deepCopy();
    String eventTime = useCase.eventTime().map(FieldSpec::name).orElse(null);
    switch (kind) {
      case MALFORMED_JSON:
        byte[] json = node.toString().getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(json, json.length / 2);
      case WRONG_TYPE:
        node.putObject(numericFeature).put("value", 1);
        break;
      case MISSING_FIELD:
        node.remove(requiredField);
        break;
      case NOT_FINITE:
        node.put(numericFeature, "NaN");
        break;
      case OUT_OF_RANGE:
        FieldSpec spec = useCase.field(numericFeature);
        node.put(numericFeature, spec.max().map(m -> m * 10 + 1).orElse(-1e300));
        break;
      case EMPTY_RECORD:
        return new byte[0];
      case NOT_UTF8:
        return new byte[] {'{', '"', 'x', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
      case MALFORMED_TIMESTAMP:
        if (eventTime == null) { // no timestamp to break: a malformed number instead
          node.put(numericFeature, "12.5.3");
          break;
        }
        node.put(eventTime, "2001-02-30T25:61:00");
        break;
      case MALFORMED_NUMBER:
        node.put(numericFeature, "12.5.3");
        break;
      default:
        throw new AssertionError(kind);
    }
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }
}
