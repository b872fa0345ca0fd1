package org.beammlops.transforms.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;

/**
 * YAML as PyYAML's {@code safe_dump(default_flow_style=False)} writes it for MLflow: block style,
 * keys sorted, no document marker, plain scalars where safe. Strings that a YAML 1.1 reader would
 * turn into something else (numbers, booleans, null, timestamps) or that start with an indicator
 * are quoted.
 */
final class MlmodelYaml {
  private MlmodelYaml() {}

  static final ObjectMapper MAPPER =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .disable(YAMLGenerator.Feature.SPLIT_LINES)
              .stringQuotingChecker(new Yaml11QuotingChecker())
              .build());

  /** Keys sorted at every level, as {@code yaml.safe_dump} does. */
  static final ObjectWriter SORTED =
      MAPPER.writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  /** Keys in insertion order, as MLflow's {@code python_env.yaml} ({@code sort_keys=False}). */
  static final ObjectWriter UNSORTED =
      MAPPER.writer().without(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private static final class Yaml11QuotingChecker extends StringQuotingChecker.Default {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean needToQuoteValue(String value) {
      if (super.needToQuoteValue(value)) {
        return true;
      }
      if (value.isEmpty() || !value.equals(value.strip())) {
        return true;
      }
      // YAML 1.1 timestamps (PyYAML resolves them to datetime).
      if (value.matches("[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?")) {
        return true;
      }
      // Numbers in any YAML 1.1 spelling, e.g. 1_000, .5, 0x1F, 1:20 (sexagesimal), .inf, .nan.
      if (value.matches("[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?([eE][-+]?[0-9]+)?)")
          || value.matches(
              "[-+]?0x[0-9a-fA-F_]+|[-+]?0b[01_]+|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?")
          || value.matches("[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)")
          || value.matches("(?i)y|n|yes|no|on|off|true|false|null|~")) {
        return true;
      }
      char first = value.charAt(0);
      return "-?:,[]{}#&*!|>'\"%@`".indexOf(first) >= 0;
    }
  }
}
