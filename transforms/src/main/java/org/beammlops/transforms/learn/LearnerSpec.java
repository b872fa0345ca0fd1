package org.beammlops.transforms.learn;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * One base learner to fit: its name in the stack and in the tracking server (e.g. {@code gbt} or
 * {@code gbt-trial-3}), its kind and its hyperparameters as strings, exactly as they are logged.
 */
public record LearnerSpec(String name, LearnerKind kind, Map<String, String> params)
    implements Serializable {

  public LearnerSpec {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a learner needs a name");
    }
    params = java.util.Collections.unmodifiableMap(new TreeMap<>(params));
  }

  /** The same learner under another name. */
  public LearnerSpec named(String newName) {
    return new LearnerSpec(newName, kind, params);
  }

  /** The same learner with {@code overrides} replacing or adding params. */
  public LearnerSpec with(Map<String, String> overrides) {
    TreeMap<String, String> merged = new TreeMap<>(params);
    merged.putAll(overrides);
    return new LearnerSpec(name, kind, merged);
  }

  public int intParam(String key, int fallback) {
    String v = params.get(key);
    return v == null ? fallback : parse(key, v, Integer::parseInt);
  }

  public double doubleParam(String key, double fallback) {
    String v = params.get(key);
    return v == null ? fallback : parse(key, v, Double::parseDouble);
  }

  private <T> T parse(String key, String value, java.util.function.Function<String, T> parser) {
    try {
      return parser.apply(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "learner '" + name + "': param " + key + "=" + value + " is not a number");
    }
  }
}
