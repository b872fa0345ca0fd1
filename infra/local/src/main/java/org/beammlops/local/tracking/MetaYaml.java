package org.beammlops.local.tracking;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/**
 * MLflow's {@code meta.yaml} files: written like PyYAML's {@code yaml.safe_dump(data,
 * default_flow_style=False, allow_unicode=True, sort_keys=True)} (block style, keys sorted, strings
 * that would read as numbers quoted), read with a safe loader.
 */
final class MetaYaml {
  static final String FILE = "meta.yaml";

  private static final ThreadLocal<Yaml> DUMPER =
      ThreadLocal.withInitial(
          () -> {
            DumperOptions options = new DumperOptions();
            options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
            options.setAllowUnicode(true);
            options.setIndent(2);
            options.setSplitLines(false);
            return new Yaml(new Representer(options), options);
          });
  private static final ThreadLocal<Yaml> LOADER =
      ThreadLocal.withInitial(() -> new Yaml(new SafeConstructor(new LoaderOptions())));

  private MetaYaml() {}

  /** The YAML text of {@code data} with keys (of nested maps too) sorted. */
  static String dump(Map<String, ?> data) {
    return DUMPER.get().dump(sorted(data));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> sorted(Map<String, ?> data) {
    Map<String, Object> out = new LinkedHashMap<>();
    new TreeMap<>(data)
        .forEach(
            (key, value) ->
                out.put(key, value instanceof Map<?, ?> m ? sorted((Map<String, ?>) m) : value));
    return out;
  }

  /** The mapping in {@code dir/meta.yaml}, or null if there is none (or it is not a mapping). */
  @SuppressWarnings("unchecked")
  static Map<String, Object> read(Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    Object loaded = LOADER.get().load(StoreFiles.readString(file));
    return loaded instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
  }

  static void write(StoreFiles files, Path dir, Map<String, ?> data) {
    files.writeAtomically(dir.resolve(FILE), dump(data));
  }

  static String string(Map<String, Object> meta, String key) {
    Object value = meta.get(key);
    return value == null ? null : value.toString();
  }

  static Long number(Map<String, Object> meta, String key) {
    Object value = meta.get(key);
    if (value instanceof Number n) {
      return n.longValue();
    }
    if (value instanceof String s && !s.isBlank()) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }
}
