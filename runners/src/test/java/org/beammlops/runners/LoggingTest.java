package org.beammlops.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quiet by default: library log lines (slf4j and java.util.logging) go to a file under {@code
 * $MLOPS_HOME/logs/}, the project's own lines to the terminal; {@code -v} or {@code
 * MLOPS_LOG_LEVEL} shows them there. Each case runs a command-like main in a JVM of its own,
 * because a logger reads its settings once per JVM.
 */
class LoggingTest {
  @TempDir Path home;

  private record Run(int code, String stdout, String stderr) {}

  private Run probe(Map<String, String> env, String... args) throws Exception {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                LoggingProbe.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove(Logging.LEVEL_VARIABLE);
    builder.environment().put("MLOPS_HOME", home.toString());
    builder.environment().putAll(env);
    Path out = home.resolve("out.txt");
    Path err = home.resolve("err.txt");
    Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    int code = p.waitFor();
    return new Run(code, Files.readString(out), Files.readString(err));
  }

  private String logs() throws IOException {
    try (Stream<Path> files = Files.list(home.resolve("logs"))) {
      List<Path> all = files.toList();
      assertEquals(1, all.size(), all.toString());
      assertTrue(all.get(0).getFileName().toString().startsWith("probe-"));
      return Files.readString(all.get(0), StandardCharsets.UTF_8);
    }
  }

  @Test
  void byDefaultLibraryLinesGoToTheLogFileAndTheTerminalStaysQuiet() throws Exception {
    Run run = probe(Map.of(), "--x=1");
    assertEquals(0, run.code(), run.stderr());
    assertEquals("probe: a progress line\n", run.stderr());
    String logged = logs();
    assertTrue(logged.contains("kafka says hello"), logged);
    assertTrue(logged.contains("tribuo says hello"), "java.util.logging is bridged: " + logged);
  }

  @Test
  void minusVOrALevelShowsThemOnTheTerminal() throws Exception {
    Run verbose = probe(Map.of(), "-v", "--x=1");
    assertEquals(0, verbose.code(), verbose.stderr());
    assertTrue(verbose.stderr().contains("kafka says hello"), verbose.stderr());
    assertTrue(verbose.stderr().contains("tribuo says hello"), verbose.stderr());
    assertTrue(verbose.stdout().contains("args=--x=1"), "-v is taken off: " + verbose.stdout());
    Run warn = probe(Map.of(Logging.LEVEL_VARIABLE, "WARN"));
    assertEquals(0, warn.code(), warn.stderr());
    assertFalse(warn.stderr().contains("kafka says hello"), "INFO is below WARN: " + warn.stderr());
    assertTrue(warn.stderr().contains("probe: a progress line"));
  }

  @Test
  void aLevelThatIsNotOneIsAClearErrorBeforeAnythingRuns() throws Exception {
    Run run = probe(Map.of(Logging.LEVEL_VARIABLE, "loud"));
    assertEquals(2, run.code());
    assertTrue(run.stderr().contains("MLOPS_LOG_LEVEL='loud' is not a log level"), run.stderr());
    assertTrue(run.stderr().contains("trace, debug, info, warn, error"), run.stderr());
    assertFalse(run.stderr().contains("progress line"), run.stderr());
  }

  @Test
  void levelsAreReadInAnyCase() {
    assertEquals("debug", Logging.level(" Debug "));
    assertNull(Logging.level(""));
    assertNull(Logging.level(null));
    assertThrows(IllegalArgumentException.class, () -> Logging.level("verbose"));
  }
}
