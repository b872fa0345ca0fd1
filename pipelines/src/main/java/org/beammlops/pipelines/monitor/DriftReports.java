package org.beammlops.pipelines.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The drift reports {@code ./mlops drift} left in the lake ({@code <lake>/<uc>/drift/<runId>/}),
 * newest first, for the dashboard to list and serve. A report directory whose JSON cannot be read
 * is skipped; a run id is only letters, digits and {@code ._-}, so a request cannot leave the
 * directory.
 */
final class DriftReports {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  /** One report, as the dashboard lists it. */
  record Listed(
      String runId,
      String createdAt,
      String verdict,
      double driftShare,
      List<String> drifted,
      String current,
      String reference) {}

  private final Path dir;

  /** The reports under {@code driftDir}; null (a remote or absent lake) lists none. */
  DriftReports(String driftDir) {
    this.dir = driftDir == null || driftDir.contains("://") ? null : Path.of(driftDir);
  }

  /** The newest {@code max} reports. */
  List<Listed> newest(int max) {
    if (dir == null || !Files.isDirectory(dir)) {
      return List.of();
    }
    List<Listed> out = new ArrayList<>();
    try (Stream<Path> runs = Files.list(dir)) {
      for (Path run : runs.toList()) {
        Path json = run.resolve("report.json");
        if (!RUN_ID.matcher(run.getFileName().toString()).matches() || !Files.exists(json)) {
          continue;
        }
        try {
          JsonNode r = JSON.readTree(json.toFile());
          List<String> drifted = new ArrayList<>();
          r.get("features")
              .forEach(
                  f -> {
                    if (f.get("drifted").asBoolean() && f.get("role").asText().equals("feature")) {
                      drifted.add(f.get("feature").asText());
                    }
                  });
          out.add(
              new Listed(
                  run.getFileName().toString(),
                  r.get("createdAt").asText(),
                  r.get("verdict").asText(),
                  r.get("driftShare").asDouble(),
                  drifted,
                  r.get("current").asText(),
                  r.get("reference").asText()));
        } catch (IOException | RuntimeException e) {
          // a report being written, or not one: skipped
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    out.sort(Comparator.comparing(Listed::createdAt).reversed());
    return out.subList(0, Math.min(max, out.size()));
  }

  /** The HTML report of {@code runId}, if there is one. */
  Optional<Path> html(String runId) {
    if (dir == null || !RUN_ID.matcher(runId).matches()) {
      return Optional.empty();
    }
    Path file = dir.resolve(runId).resolve("report.html");
    return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
  }
}
