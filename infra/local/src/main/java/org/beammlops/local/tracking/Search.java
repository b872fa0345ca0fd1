package org.beammlops.local.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * MLflow's search language ({@code mlflow/utils/search_utils.py}) over entities held in memory, as
 * MLflow's file store does it: {@code AND}-ed comparisons of {@code metrics.}, {@code params.},
 * {@code tags.} and attributes with {@code = != > >= < <= LIKE ILIKE IN NOT IN}, {@code ORDER BY}
 * clauses and offset page tokens.
 */
final class Search {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Search() {}

  /** What an entity offers to a filter: its attributes, metrics, params and tags. */
  interface Searchable {
    /** An attribute (a String, a Long or null); only asked for keys the {@link Schema} lists. */
    Object attribute(String key);

    default Double metric(String key) {
      return null;
    }

    default String param(String key) {
      return null;
    }

    default String tag(String key) {
      return null;
    }
  }

  /** Which identifiers and attributes a search accepts, per entity kind. */
  record Schema(
      Set<String> entityTypes,
      Set<String> stringAttributes,
      Set<String> numericAttributes,
      Set<String> orderAttributes) {

    static final Schema RUNS =
        new Schema(
            Set.of("metric", "param", "tag", "attribute"),
            Set.of("run_id", "run_name", "user_id", "status", "artifact_uri"),
            Set.of("start_time", "end_time"),
            Set.of(
                "run_id",
                "run_name",
                "user_id",
                "status",
                "artifact_uri",
                "start_time",
                "end_time",
                "experiment_id"));
    static final Schema EXPERIMENTS =
        new Schema(
            Set.of("tag", "attribute"),
            Set.of("name"),
            Set.of("creation_time", "last_update_time"),
            Set.of("name", "experiment_id", "creation_time", "last_update_time"));
    static final Schema REGISTERED_MODELS =
        new Schema(
            Set.of("tag", "attribute"),
            Set.of("name"),
            Set.of(),
            Set.of("name", "creation_timestamp", "last_updated_timestamp"));
    static final Schema MODEL_VERSIONS =
        new Schema(
            Set.of("tag", "attribute"),
            Set.of("name", "run_id", "source_path", "current_stage"),
            Set.of("version_number", "creation_timestamp", "last_updated_timestamp"),
            Set.of("name", "version_number", "creation_timestamp", "last_updated_timestamp"));

    boolean numeric(String key) {
      return numericAttributes.contains(key);
    }
  }

  /** One comparison of a filter. */
  record Clause(String type, String key, String comparator, Object value) {}

  /** A parsed ORDER BY clause. */
  record Order(String type, String key, boolean ascending) {}

  // --- filters ---

  static Predicate<Searchable> filter(String filter, Schema schema) {
    List<Clause> clauses = parseFilter(filter, schema);
    return entity -> clauses.stream().allMatch(clause -> matches(entity, clause, schema));
  }

  static List<Clause> parseFilter(String filter, Schema schema) {
    List<Clause> clauses = new ArrayList<>();
    if (filter == null || filter.isBlank()) {
      return clauses;
    }
    Scanner in = new Scanner(filter);
    while (true) {
      in.skipSpace();
      String identifier = in.identifier();
      if (identifier.isEmpty()) {
        throw MlflowError.invalid("Invalid filter '" + filter + "'. Could not be parsed.");
      }
      String[] typeAndKey = identifier(identifier, schema, false);
      in.skipSpace();
      String comparator = in.comparator();
      if (comparator == null) {
        throw MlflowError.invalid(
            "Invalid comparison clause in filter '" + filter + "'. Expected a comparator.");
      }
      in.skipSpace();
      Token value = in.value();
      if (value == null) {
        throw MlflowError.invalid(
            "Invalid comparison clause in filter '" + filter + "'. Expected a value.");
      }
      clauses.add(clause(typeAndKey[0], typeAndKey[1], comparator, value, schema));
      in.skipSpace();
      if (in.atEnd()) {
        return clauses;
      }
      if (!in.keyword("AND")) {
        throw MlflowError.invalid(
            "Invalid clause(s) in filter string: '" + in.rest() + "'. Join comparisons with AND.");
      }
    }
  }

  private static Clause clause(
      String type, String key, String comparator, Token value, Schema schema) {
    Set<String> allowed;
    Object parsed;
    switch (type) {
      case "metric" -> {
        allowed = Set.of("=", "!=", ">", ">=", "<", "<=");
        parsed = number(value, "Expected numeric value type for metric. Found " + value.text);
      }
      case "param", "tag" -> {
        allowed = Set.of("=", "!=", "LIKE", "ILIKE");
        parsed = string(value, type);
      }
      default -> {
        if (schema.numeric(key)) {
          allowed = Set.of("=", "!=", ">", ">=", "<", "<=");
          parsed =
              number(
                  value,
                  "Expected numeric value type for numeric attribute: "
                      + key
                      + ". Found "
                      + value.text);
        } else {
          allowed = Set.of("=", "!=", "LIKE", "ILIKE", "IN", "NOT IN");
          if (value.list != null) {
            if (!comparator.endsWith("IN")) {
              throw MlflowError.invalid("A list of values needs IN or NOT IN, not " + comparator);
            }
            parsed = value.list;
          } else {
            parsed = string(value, "attributes");
          }
        }
      }
    }
    if (!allowed.contains(comparator)) {
      throw MlflowError.invalid(
          "Invalid comparator '" + comparator + "' not one of '" + allowed + "'");
    }
    if (comparator.endsWith("IN") && value.list == null) {
      throw MlflowError.invalid(comparator + " needs a parenthesised list of quoted strings");
    }
    return new Clause(type, key, comparator, parsed);
  }

  private static Double number(Token value, String message) {
    if (value.kind != 'n') {
      throw MlflowError.invalid(message);
    }
    return Double.parseDouble(value.text);
  }

  private static String string(Token value, String type) {
    if (value.kind != 's') {
      throw MlflowError.invalid(
          "Expected a quoted string value for "
              + type
              + " (e.g. 'my-value'). Got value "
              + value.text);
    }
    return value.text;
  }

  /**
   * Splits {@code type.key} (a bare name is an attribute) and checks it against the schema. Returns
   * {type, key}.
   */
  static String[] identifier(String identifier, Schema schema, boolean forOrder) {
    String type;
    String key;
    int dot = identifier.indexOf('.');
    if (dot < 0 || identifier.startsWith("`") || identifier.startsWith("\"")) {
      type = "attribute";
      key = identifier;
    } else {
      type = entityType(identifier.substring(0, dot));
      key = identifier.substring(dot + 1);
    }
    key = unquote(key);
    if (!schema.entityTypes().contains(type)) {
      throw MlflowError.invalid(
          "Invalid entity type '" + type + "'. Valid values are " + schema.entityTypes());
    }
    if (type.equals("attribute")) {
      key =
          switch (key) {
            case "created", "Created" -> "start_time";
            case "run name", "Run name", "Run Name" -> "run_name";
            case "timestamp" -> schema == Schema.REGISTERED_MODELS ? "last_updated_timestamp" : key;
            default -> key;
          };
      Set<String> valid =
          forOrder
              ? schema.orderAttributes()
              : union(schema.stringAttributes(), schema.numericAttributes());
      if (!valid.contains(key)) {
        throw MlflowError.invalid(
            "Invalid attribute key '" + key + "' specified. Valid keys are '" + valid + "'");
      }
    }
    return new String[] {type, key};
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    java.util.Set<String> all = new java.util.TreeSet<>(a);
    all.addAll(b);
    return all;
  }

  private static String entityType(String raw) {
    String t = unquote(raw);
    return switch (t) {
      case "metric", "metrics" -> "metric";
      case "param", "params", "parameter", "parameters" -> "param";
      case "tag", "tags" -> "tag";
      case "attribute", "attributes", "attr", "run" -> "attribute";
      default ->
          throw MlflowError.invalid(
              "Invalid entity type '"
                  + t
                  + "'. Valid values are ['metric', 'parameter', 'tag', 'attribute']");
    };
  }

  private static String unquote(String s) {
    if (s.length() >= 2
        && (s.charAt(0) == '`' || s.charAt(0) == '"' || s.charAt(0) == '\'')
        && s.charAt(s.length() - 1) == s.charAt(0)) {
      return s.substring(1, s.length() - 1);
    }
    return s;
  }

  private static boolean matches(Searchable e, Clause c, Schema schema) {
    Object lhs =
        switch (c.type()) {
          case "metric" -> e.metric(c.key());
          case "param" -> e.param(c.key());
          case "tag" -> e.tag(c.key());
          default -> e.attribute(c.key());
        };
    if (lhs == null) {
      return false;
    }
    if (c.value() instanceof Double number) {
      double left = lhs instanceof Number n ? n.doubleValue() : Double.NaN;
      double right = number;
      return switch (c.comparator()) {
        case "=" -> left == right;
        case "!=" -> left != right;
        case ">" -> left > right;
        case ">=" -> left >= right;
        case "<" -> left < right;
        default -> left <= right;
      };
    }
    String left = lhs.toString();
    return switch (c.comparator()) {
      case "=" -> left.equals(c.value());
      case "!=" -> !left.equals(c.value());
      case "LIKE" -> like((String) c.value(), false).matcher(left).matches();
      case "ILIKE" -> like((String) c.value(), true).matcher(left).matches();
      case "IN" -> ((List<?>) c.value()).contains(left);
      default -> !((List<?>) c.value()).contains(left);
    };
  }

  /** SQL LIKE: {@code %} any run, {@code _} one character, everything else literal. */
  static Pattern like(String pattern, boolean ignoreCase) {
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (char ch : pattern.toCharArray()) {
      if (ch == '%' || ch == '_') {
        regex.append(Pattern.quote(literal.toString()));
        literal.setLength(0);
        regex.append(ch == '%' ? ".*" : ".");
      } else {
        literal.append(ch);
      }
    }
    regex.append(Pattern.quote(literal.toString()));
    int flags = Pattern.DOTALL | (ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
    return Pattern.compile(regex.toString(), flags);
  }

  // --- ordering ---

  static Order parseOrder(String clause, Schema schema) {
    Scanner in = new Scanner(clause);
    in.skipSpace();
    String identifier = in.identifier();
    if (identifier.isEmpty()) {
      throw MlflowError.invalid("Invalid order_by clause '" + clause + "'. Could not be parsed.");
    }
    String[] typeAndKey = identifier(identifier, schema, true);
    in.skipSpace();
    boolean ascending = true;
    if (!in.atEnd()) {
      String word = in.word().toLowerCase(Locale.ROOT);
      if (!word.equals("asc") && !word.equals("desc")) {
        throw MlflowError.invalid("Invalid ordering key in order_by clause '" + clause + "'.");
      }
      ascending = word.equals("asc");
      in.skipSpace();
      if (!in.atEnd()) {
        throw MlflowError.invalid("Invalid order_by clause '" + clause + "'. Could not be parsed.");
      }
    }
    return new Order(typeAndKey[0], typeAndKey[1], ascending);
  }

  /**
   * The sort key of one ORDER BY clause as MLflow's file store sorts runs: values first in the
   * asked direction, then NaN, then missing values, whatever the direction.
   */
  static Comparator<Searchable> runComparator(Order order) {
    Comparator<Searchable> byValue =
        (a, b) -> {
          Object x = value(a, order);
          Object y = value(b, order);
          int rankX = rank(x);
          int rankY = rank(y);
          if (rankX != rankY) {
            return Integer.compare(rankX, rankY);
          }
          if (rankX != 0) {
            return 0;
          }
          int cmp = compareValues(x, y);
          return order.ascending() ? cmp : -cmp;
        };
    return byValue;
  }

  private static int rank(Object v) {
    if (v == null) {
      return 2;
    }
    if (v instanceof Double d && d.isNaN()) {
      return 1;
    }
    return 0;
  }

  static Object value(Searchable e, Order order) {
    return switch (order.type()) {
      case "metric" -> e.metric(order.key());
      case "param" -> e.param(order.key());
      case "tag" -> e.tag(order.key());
      default -> e.attribute(order.key());
    };
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static int compareValues(Object x, Object y) {
    if (x instanceof Number a && y instanceof Number b) {
      return Double.compare(a.doubleValue(), b.doubleValue());
    }
    if (x instanceof Comparable a && x.getClass() == y.getClass()) {
      return a.compareTo(y);
    }
    return x.toString().compareTo(y.toString());
  }

  /**
   * The sort key of ORDER BY clauses for experiments and registry entities: null last, then the
   * value in the asked direction.
   */
  static Comparator<Searchable> attributeComparator(Order order) {
    return (a, b) -> {
      Object x = value(a, order);
      Object y = value(b, order);
      if (x == null || y == null) {
        return x == y ? 0 : (x == null ? 1 : -1);
      }
      int cmp = compareValues(x, y);
      return order.ascending() ? cmp : -cmp;
    };
  }

  // --- paging ---

  record PageSlice<T>(List<T> items, String nextPageToken) {}

  static <T> PageSlice<T> page(List<T> sorted, String pageToken, long maxResults) {
    int offset = offset(pageToken);
    long end = Math.min(sorted.size(), offset + maxResults);
    List<T> items = offset >= sorted.size() ? List.of() : sorted.subList(offset, (int) end);
    String next = end < sorted.size() ? token((int) end) : null;
    return new PageSlice<>(List.copyOf(items), next);
  }

  static String token(int offset) {
    return Base64.getEncoder()
        .encodeToString(("{\"offset\": " + offset + "}").getBytes(StandardCharsets.UTF_8));
  }

  static int offset(String pageToken) {
    if (pageToken == null || pageToken.isEmpty()) {
      return 0;
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(pageToken.trim());
    } catch (IllegalArgumentException e) {
      throw MlflowError.invalid("Invalid page token, could not base64-decode");
    }
    JsonNode parsed;
    try {
      parsed = JSON.readTree(decoded);
    } catch (java.io.IOException e) {
      throw MlflowError.invalid(
          "Invalid page token, decoded value=" + new String(decoded, StandardCharsets.UTF_8));
    }
    JsonNode offset = parsed == null ? null : parsed.get("offset");
    if (offset == null || !offset.canConvertToInt() || offset.asInt() <= 0) {
      throw MlflowError.invalid("Invalid page token, parsed value=" + parsed);
    }
    return offset.asInt();
  }

  // --- tokens ---

  /** A value token: kind 's' (quoted string), 'n' (number) or 'l' (list of strings). */
  private record Token(char kind, String text, List<String> list) {}

  private static final class Scanner {
    private final String s;
    private int i;

    Scanner(String s) {
      this.s = s;
    }

    boolean atEnd() {
      return i >= s.length();
    }

    String rest() {
      return s.substring(i);
    }

    void skipSpace() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    /** A dotted identifier; quoted parts (backticks or double quotes) may hold any character. */
    String identifier() {
      int start = i;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c == '`' || c == '"') {
          int close = s.indexOf(c, i + 1);
          if (close < 0) {
            throw MlflowError.invalid("Unclosed quote in '" + s + "'");
          }
          i = close + 1;
        } else if (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-') {
          i++;
        } else {
          break;
        }
      }
      return s.substring(start, i);
    }

    String word() {
      int start = i;
      while (i < s.length() && Character.isLetter(s.charAt(i))) {
        i++;
      }
      return s.substring(start, i);
    }

    boolean keyword(String expected) {
      int save = i;
      String w = word();
      if (w.equalsIgnoreCase(expected)
          && (i >= s.length() || Character.isWhitespace(s.charAt(i)) || s.charAt(i) == '(')) {
        return true;
      }
      i = save;
      return false;
    }

    String comparator() {
      for (String op : List.of("!=", ">=", "<=", "=", ">", "<")) {
        if (s.startsWith(op, i)) {
          i += op.length();
          return op;
        }
      }
      int save = i;
      String w = word().toUpperCase(Locale.ROOT);
      switch (w) {
        case "LIKE", "ILIKE", "IN":
          return w;
        case "NOT":
          skipSpace();
          if (word().equalsIgnoreCase("IN")) {
            return "NOT IN";
          }
          break;
        default:
          break;
      }
      i = save;
      return null;
    }

    Token value() {
      if (atEnd()) {
        return null;
      }
      char c = s.charAt(i);
      if (c == '\'' || c == '"') {
        return new Token('s', quoted(c), null);
      }
      if (c == '(') {
        i++;
        List<String> items = new ArrayList<>();
        while (true) {
          skipSpace();
          if (atEnd()) {
            throw MlflowError.invalid("Unclosed list in '" + s + "'");
          }
          char q = s.charAt(i);
          if (q != '\'' && q != '"') {
            throw MlflowError.invalid(
                "While parsing a list in the query, expected a non-empty list of string values,"
                    + " but got ill-formed list.");
          }
          items.add(quoted(q));
          skipSpace();
          if (i < s.length() && s.charAt(i) == ',') {
            i++;
            continue;
          }
          if (i < s.length() && s.charAt(i) == ')') {
            i++;
            return new Token('l', s, List.copyOf(items));
          }
          throw MlflowError.invalid("Ill-formed list in '" + s + "'");
        }
      }
      int start = i;
      while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      String text = s.substring(start, i);
      try {
        Double.parseDouble(text);
        if (text.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
          return new Token('n', text, null);
        }
      } catch (NumberFormatException e) {
        // not a number: an unquoted word
      }
      return new Token('w', text, null);
    }

    private String quoted(char quote) {
      StringBuilder out = new StringBuilder();
      i++;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c == quote) {
          if (i + 1 < s.length() && s.charAt(i + 1) == quote) {
            out.append(quote);
            i += 2;
            continue;
          }
          i++;
          return out.toString();
        }
        out.append(c);
        i++;
      }
      throw MlflowError.invalid("Unclosed quote in '" + s + "'");
    }
  }
}
