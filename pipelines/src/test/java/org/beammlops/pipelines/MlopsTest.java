package org.beammlops.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.beammlops.pipelines.common.Commands;
import org.beammlops.pipelines.common.OptionPresets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad command lines, as a user types them: each is a usage error (exit 2) with one line that names
 * the option and says what it takes, before anything runs.
 */
class MlopsTest {

  /** Runs {@code ./mlops <args>} in this JVM and returns its exit code and stderr. */
  private static String[] run(String... args) {
    PrintStream err = System.err;
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
      int code = Mlops.run(args, OptionPresets.NONE);
      return new String[] {Integer.toString(code), stderr.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setErr(err);
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "score, --startAt=soon, '[committed, latest]'",
    "score, --predictionFormat=xml, '[json, avro]'",
    "score, --format=xml, '[auto, csv, json, avro, parquet]'",
    "train, --classWeights=maybe, '[auto, on, off]'",
    "train, --split=random, '[time, hash]'",
    "ingest, --format=xml, '[auto, csv, json, avro, parquet]'",
    "replay, --format=xml, '[auto, csv, json, avro, parquet]'"
  })
  void anUnknownValueOfATypedOptionNamesTheOptionAndTheAllowedValues(
      String command, String option, String allowed) {
    String[] result = run(command, "--task=delay15", option);
    assertEquals(Integer.toString(Commands.USAGE_ERROR), result[0], result[1]);
    for (String value : allowed.substring(1, allowed.length() - 1).split(", ")) {
      assertTrue(result[1].contains(value), value + " in " + result[1]);
    }
    assertTrue(result[1].contains(option.substring(0, option.indexOf('='))), result[1]);
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @CsvSource({"batch-predict, --config, job.yaml", "train, --watchPath, /in"})
  void aValueAsAWordOfItsOwnSaysToWriteItAfterEquals(String command, String option, String value) {
    String[] result = run(command, option, value);
    assertEquals(Integer.toString(Commands.USAGE_ERROR), result[0], result[1]);
    assertTrue(result[1].contains(option + "=" + value), result[1]);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"--watch=/in"})
  void theOldWatchSpellingPointsAtWatchPath(String option) {
    String[] result = run("train", "--task=delay15", option);
    assertEquals(Integer.toString(Commands.USAGE_ERROR), result[0], result[1]);
    assertTrue(result[1].contains("Did you mean") && result[1].contains("--watchPath"), result[1]);
  }
}
