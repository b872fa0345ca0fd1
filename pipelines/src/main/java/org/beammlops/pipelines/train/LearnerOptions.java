package org.beammlops.pipelines.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.beammlops.transforms.learn.LearnerKind;
import org.beammlops.transforms.learn.LearnerSpec;

/** Reads {@code --learners} and {@code --learnerParams} into learner specs. */
final class LearnerOptions {
  private LearnerOptions() {}

  static List<LearnerSpec> parse(String learners, String learnerParams) {
    Map<LearnerKind, Map<String, String>> params = new LinkedHashMap<>();
    for (String name : learners.split(",")) {
      if (name.isBlank()) {
        continue;
      }
      LearnerKind kind = LearnerKind.parse(name);
      if (params.put(kind, new TreeMap<>()) != null) {
        throw new IllegalArgumentException("--learners names '" + kind.id() + "' twice");
      }
    }
    if (params.isEmpty()) {
      throw new IllegalArgumentException("--learners names no learner; known: linear, gbt, rf");
    }
    for (String entry : learnerParams.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      int dot = entry.indexOf('.');
      int eq = entry.indexOf('=');
      if (dot <= 0 || eq < dot + 2 || eq == entry.length() - 1) {
        throw new IllegalArgumentException(
            "--learnerParams entry '" + entry + "' is not learner.param=value");
      }
      LearnerKind kind = LearnerKind.parse(entry.substring(0, dot));
      Map<String, String> forKind = params.get(kind);
      if (forKind == null) {
        throw new IllegalArgumentException(
            "--learnerParams sets '" + entry + "' but --learners does not name " + kind.id());
      }
      forKind.put(entry.substring(dot + 1, eq).trim(), entry.substring(eq + 1).trim());
    }
    List<LearnerSpec> specs = new ArrayList<>();
    params.forEach((kind, p) -> specs.add(new LearnerSpec(kind.id(), kind, p)));
    return specs;
  }
}
