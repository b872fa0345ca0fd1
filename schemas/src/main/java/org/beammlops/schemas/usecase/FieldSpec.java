package org.beammlops.schemas.usecase;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * One field of a use-case schema with its ML annotations ({@code "mlops": {...}} in the .avsc), so
 * that validation, feature specs and profiles are derived from the schema instead of Java code.
 */
public final class FieldSpec implements Serializable {

  /** What a field is for. */
  public enum Role {
    ID,
    EVENT_TIME,
    FEATURE,
    LABEL,
    OTHER
  }

  /** How a feature or label is treated. */
  public enum Kind {
    NUMERIC,
    CATEGORICAL,
    NONE
  }

  /** The value type a field holds, after unwrapping a nullable union. */
  public enum ValueType {
    STRING,
    LONG,
    INT,
    DOUBLE,
    FLOAT,
    BOOLEAN,
    TIMESTAMP_MILLIS
  }

  private final String name;
  private final Role role;
  private final Kind kind;
  private final ValueType type;
  private final boolean nullable;
  private final Double min;
  private final Double max;
  private final String minText;
  private final String maxText;
  private final String pattern;
  private final List<String> sourceNames;
  private final List<String> leaks;
  private transient Pattern compiledPattern;

  private FieldSpec(
      String name,
      Role role,
      Kind kind,
      ValueType type,
      boolean nullable,
      Double min,
      Double max,
      String minText,
      String maxText,
      String pattern,
      List<String> sourceNames,
      List<String> leaks) {
    this.name = name;
    this.role = role;
    this.kind = kind;
    this.type = type;
    this.nullable = nullable;
    this.min = min;
    this.max = max;
    this.minText = minText;
    this.maxText = maxText;
    this.pattern = pattern;
    this.sourceNames = List.copyOf(sourceNames);
    this.leaks = List.copyOf(leaks);
  }

  /** Reads the spec of one Avro field; fails with a message naming the field when it is wrong. */
  static FieldSpec of(Schema.Field field) {
    Schema schema = field.schema();
    boolean nullable = false;
    if (schema.getType() == Schema.Type.UNION) {
      Schema nonNull = null;
      for (Schema branch : schema.getTypes()) {
        if (branch.getType() == Schema.Type.NULL) {
          nullable = true;
        } else if (nonNull == null) {
          nonNull = branch;
        } else {
          throw new IllegalArgumentException(
              "field '" + field.name() + "': only [null, T] unions are supported");
        }
      }
      schema = nonNull;
    }
    ValueType type = valueType(field.name(), schema);
    Map<?, ?> mlops =
        field.getObjectProp("mlops") instanceof Map<?, ?> m ? m : Map.<String, Object>of();
    Role role = annotation(field.name(), "role", Role.class, text(mlops, "role", "other"));
    Kind kind = annotation(field.name(), "kind", Kind.class, text(mlops, "kind", "none"));
    if ((role == Role.FEATURE || role == Role.LABEL) && kind == Kind.NONE) {
      kind =
          (type == ValueType.STRING || type == ValueType.BOOLEAN) ? Kind.CATEGORICAL : Kind.NUMERIC;
    }
    for (Object key : mlops.keySet()) {
      if (!KEYS.contains(key.toString())) {
        throw new IllegalArgumentException(
            "field '" + field.name() + "': mlops." + key + " is not one of " + KEYS);
      }
    }
    List<String> sourceNames = new ArrayList<>();
    sourceNames.add(field.name());
    if (mlops.get("source") != null) {
      sourceNames.add(mlops.get("source").toString());
    }
    for (String alias : field.aliases()) {
      if (!sourceNames.contains(alias)) {
        sourceNames.add(alias);
      }
    }
    List<String> leaks = new ArrayList<>();
    Object leaksValue = mlops.get("leaks");
    if (leaksValue instanceof List<?> list) {
      list.forEach(l -> leaks.add(l.toString()));
    } else if (leaksValue != null) {
      leaks.add(leaksValue.toString());
    }
    Object minValue = mlops.get("min");
    Object maxValue = mlops.get("max");
    return new FieldSpec(
        field.name(),
        role,
        kind,
        type,
        nullable,
        minValue instanceof Number n ? n.doubleValue() : null,
        maxValue instanceof Number n ? n.doubleValue() : null,
        minValue instanceof String s ? s : null,
        maxValue instanceof String s ? s : null,
        mlops.get("pattern") == null ? null : mlops.get("pattern").toString(),
        sourceNames,
        leaks);
  }

  /** The keys an {@code mlops} annotation may have. */
  private static final List<String> KEYS =
      List.of("role", "kind", "min", "max", "pattern", "source", "leaks");

  private static <E extends Enum<E>> E annotation(
      String fieldName, String key, Class<E> type, String value) {
    try {
      return Enum.valueOf(type, value.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "field '"
              + fieldName
              + "': mlops."
              + key
              + " '"
              + value
              + "' is not one of "
              + java.util.Arrays.stream(type.getEnumConstants())
                  .map(c -> c.name().toLowerCase(java.util.Locale.ROOT))
                  .toList());
    }
  }

  private static String text(Map<?, ?> map, String key, String fallback) {
    Object value = map.get(key);
    return value == null ? fallback : value.toString();
  }

  private static ValueType valueType(String fieldName, Schema schema) {
    if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
      return ValueType.TIMESTAMP_MILLIS;
    }
    switch (schema.getType()) {
      case STRING:
      case ENUM:
        return ValueType.STRING;
      case LONG:
        return ValueType.LONG;
      case INT:
        return ValueType.INT;
      case DOUBLE:
        return ValueType.DOUBLE;
      case FLOAT:
        return ValueType.FLOAT;
      case BOOLEAN:
        return ValueType.BOOLEAN;
      default:
        throw new IllegalArgumentException(
            "field '" + fieldName + "': type " + schema.getType() + " is not supported");
    }
  }

  public String name() {
    return name;
  }

  public Role role() {
    return role;
  }

  public Kind kind() {
    return kind;
  }

  public ValueType type() {
    return type;
  }

  /** A nullable field may be absent; a non-nullable one is required. */
  public boolean nullable() {
    return nullable;
  }

  public Optional<Double> min() {
    return Optional.ofNullable(min);
  }

  public Optional<Double> max() {
    return Optional.ofNullable(max);
  }

  /** Lower bound written as text, used for timestamps (ISO-8601 local date-time). */
  public Optional<String> minText() {
    return Optional.ofNullable(minText);
  }

  public Optional<String> maxText() {
    return Optional.ofNullable(maxText);
  }

  /**
   * The names this field is matched by in CSV headers, JSON keys and Parquet columns: its own name,
   * then its source column name ({@code mlops.source}) and its Avro {@code aliases}, so that a
   * column such as {@code Event Date} fills the field {@code event_date}.
   */
  public List<String> sourceNames() {
    return sourceNames;
  }

  /**
   * The label fields this field leaks ({@code mlops.leaks}): it is known only once that label is,
   * so no task on one of those labels may use it as a feature. Declared once, here, instead of in
   * every task.
   */
  public List<String> leaks() {
    return leaks;
  }

  /** True for fields read as text categories rather than numbers. */
  public boolean isNumeric() {
    return type != ValueType.STRING && type != ValueType.BOOLEAN;
  }

  /** A regular expression the whole value must match (strings only). */
  public Optional<Pattern> pattern() {
    if (pattern == null) {
      return Optional.empty();
    }
    if (compiledPattern == null) {
      compiledPattern = Pattern.compile(pattern);
    }
    return Optional.of(compiledPattern);
  }

  @Override
  public String toString() {
    return name + "(" + role + ", " + kind + ", " + type + (nullable ? ", nullable" : "") + ")";
  }
}
