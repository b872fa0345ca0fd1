package org.beammlops.schemas.usecase;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Finds use cases: the ones bundled in this jar ({@code usecases/<name>/usecase.yaml}, listed in
 * {@code usecases/usecases.list}) and the ones in directories named by the {@code
 * MLOPS_USECASE_PATH} environment variable (or system property {@code mlops.usecase.path}),
 * colon-separated, each holding {@code <name>/usecase.yaml} and its schema.
 */
public final class UseCases {
  private static final String BUNDLED = "usecases/";
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  private UseCases() {}

  /** The environment variable that names the use case commands use when none is given. */
  public static final String DEFAULT_ENV = "MLOPS_USECASE";

  /**
   * The use case {@code name}, or when it is null the default one: {@value #DEFAULT_ENV} if set,
   * else the only use case there is. With several and none named, an error lists them: no use case
   * is the default by its name.
   */
  public static UseCase loadOrDefault(String name) {
    if (name != null && !name.isBlank()) {
      return load(name);
    }
    String env = System.getenv(DEFAULT_ENV);
    if (env != null && !env.isBlank()) {
      return load(env);
    }
    List<String> known = known();
    if (known.size() == 1) {
      return load(known.get(0));
    }
    throw new IllegalArgumentException(
        "--useCase is required: there are "
            + known.size()
            + " use cases ("
            + String.join(", ", known)
            + "); name one, or set "
            + DEFAULT_ENV);
  }

  /** Loads a use case by name; an error listing the known ones if there is none. */
  public static UseCase load(String name) {
    if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException(
          "Unknown use case '" + name + "'. Known use cases: " + String.join(", ", known()));
    }
    for (Path dir : searchPath()) {
      Path config = dir.resolve(name).resolve("usecase.yaml");
      if (Files.isRegularFile(config)) {
        try (InputStream in = Files.newInputStream(config)) {
          return parse(
              in, schemaFile -> Files.readString(config.getParent().resolve(schemaFile)), config);
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read use case " + config, e);
        }
      }
    }
    String base = BUNDLED + name + "/";
    try (InputStream in = resource(base + "usecase.yaml")) {
      if (in == null) {
        throw new IllegalArgumentException(
            "Unknown use case '" + name + "'. Known use cases: " + String.join(", ", known()));
      }
      return parse(in, schemaFile -> readResource(base + schemaFile), base + "usecase.yaml");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read bundled use case " + name, e);
    }
  }

  /**
   * Loads the use case in {@code dir} (its {@code usecase.yaml} and the schema it names), or in the
   * directory of {@code dir} when it is the config file itself: what {@code mlops usecase check}
   * reads. Throws {@link InvalidUseCaseException} with every problem found.
   */
  public static UseCase loadFrom(Path dir) {
    Path config = Files.isDirectory(dir) ? dir.resolve("usecase.yaml") : dir;
    if (!Files.isRegularFile(config)) {
      throw new IllegalArgumentException("No use case config at " + config);
    }
    try (InputStream in = Files.newInputStream(config)) {
      return parse(
          in, schemaFile -> Files.readString(config.getParent().resolve(schemaFile)), config);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read use case " + config, e);
    }
  }

  /** Names of every use case that {@link #load} can find, sorted. */
  public static List<String> known() {
    TreeSet<String> names = new TreeSet<>();
    try (InputStream in = resource(BUNDLED + "usecases.list")) {
      if (in != null) {
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
          if (!line.isBlank() && !line.startsWith("#")) {
            names.add(line.trim());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Path dir : searchPath()) {
      try (var children = Files.list(dir)) {
        children
            .filter(p -> Files.isRegularFile(p.resolve("usecase.yaml")))
            .forEach(p -> names.add(p.getFileName().toString()));
      } catch (IOException e) {
        // a missing or unreadable directory on the search path holds no use case
      }
    }
    return new ArrayList<>(names);
  }

  private interface SchemaReader {
    String read(String schemaFile) throws IOException;
  }

  private static UseCase parse(InputStream in, SchemaReader schemas, Object where)
      throws IOException {
    UseCase.Config config;
    try {
      config = YAML.readValue(in, UseCase.Config.class);
    } catch (IOException e) {
      throw new InvalidUseCaseException(
          String.valueOf(where), List.of("config is not valid: " + e.getMessage()));
    }
    if (config.schema == null) {
      throw new InvalidUseCaseException(
          String.valueOf(config.name), List.of("config " + where + " names no schema"));
    }
    String schema;
    try {
      schema = schemas.read(config.schema);
    } catch (IOException e) {
      throw new InvalidUseCaseException(
          String.valueOf(config.name),
          List.of("schema '" + config.schema + "' cannot be read: " + e));
    }
    return new UseCase(config, schema);
  }

  private static List<Path> searchPath() {
    String path = System.getProperty("mlops.usecase.path", System.getenv("MLOPS_USECASE_PATH"));
    List<Path> dirs = new ArrayList<>();
    if (path != null) {
      for (String part : path.split(":")) {
        if (!part.isBlank()) {
          dirs.add(Path.of(part));
        }
      }
    }
    return dirs;
  }

  private static InputStream resource(String name) {
    return UseCases.class.getClassLoader().getResourceAsStream(name);
  }

  private static String readResource(String name) throws IOException {
    try (InputStream in = resource(name)) {
      if (in == null) {
        throw new IOException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
