package org.beammlops.transforms.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelUriTest {

  @Test
  void parsesAnAlias() {
    ModelUri uri = ModelUri.parse("models:/flights@champion");
    assertEquals(new ModelUri.RegisteredAlias("flights", "champion"), uri);
    assertEquals("models:/flights@champion", uri.toString());
  }

  @Test
  void parsesAVersion() {
    ModelUri uri = ModelUri.parse("models:/flights/12");
    assertEquals(new ModelUri.RegisteredVersion("flights", 12), uri);
    assertEquals("models:/flights/12", uri.toString());
    assertEquals(
        new ModelUri.RegisteredVersion("flights", 7), ModelUri.parse("models:/flights/007"));
  }

  @Test
  void parsesRunArtifacts() {
    String run = "0123456789abcdef0123456789abcdef";
    assertEquals(new ModelUri.RunArtifact(run, "model"), ModelUri.parse("runs:/" + run + "/model"));
    assertEquals(
        new ModelUri.RunArtifact(run, "models/best model"),
        ModelUri.parse("runs:/" + run + "/models/best model/"));
    assertEquals(new ModelUri.RunArtifact(run, ""), ModelUri.parse("runs:/" + run));
    assertEquals("runs:/" + run + "/model", ModelUri.parse("runs:/" + run + "/model").toString());
  }

  @Test
  void namesMayHoldSpacesDotsAndDashes() {
    assertEquals(
        new ModelUri.RegisteredAlias("flight delays v2.1", "challenger-1"),
        ModelUri.parse("models:/flight delays v2.1@challenger-1"));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"   "})
  void rejectsEmpty(String uri) {
    assertInvalid(uri, "empty");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "' models:/m@a'|leading or trailing whitespace",
        "'models:/m@a '|leading or trailing whitespace",
        "flights|no scheme",
        ":/m@a|no scheme",
        "s3://bucket/model|scheme 's3' is not supported",
        "model:/m/1|scheme 'model' is not supported",
        "Models:/m/1|scheme 'Models' is not supported",
        "models://profile@databricks/m/1|names a host",
        "runs://abc/model|names a host",
        "models:m/1|must be followed by '/'",
        "runs:abc/model|must be followed by '/'",
        "models:/|model name is missing",
        "models:/flights|version or alias is missing",
        "models:/flights/|version after '/' is missing",
        "models:/flights/Production|not a positive integer",
        "models:/flights/latest|not a positive integer",
        "models:/flights/-1|not a positive integer",
        "models:/flights/1.5|not a positive integer",
        "models:/flights/0|must be 1 or more",
        "models:/flights/99999999999999999999|too large",
        "models:/flights/1/model|too many path segments",
        "models://flights|names a host",
        "models:/@champion|model name is empty",
        "models:/flights@|alias after '@' is empty",
        "models:/flights@champion@2|more than one '@'",
        "models:/flights@champ ion|may only contain",
        "models:/flights@champion/1|either an alias",
        "models:/flights@latest|reserved",
        "models:/flights@v3|reserved",
        "models:/flights@1/2|either an alias",
        "models:/ flights@champion|leading or trailing whitespace",
        "models:/../1|is not a model name",
        "models:/flights/1?x=1|query",
        "models:/flights@champion#frag|query",
        "runs:/|run id is missing",
        "runs:///model|names a host",
        "runs:/-abc/model|run id '-abc'",
        "runs:/ab.c/model|run id 'ab.c'",
        "runs:/abc//model|empty segment",
        "runs:/abc/../etc/passwd|'.' or '..' segments",
        "runs:/abc/./model|'.' or '..' segments",
        "runs:/abc/model\\sub|'\\'",
      })
  void rejectsMalformed(String uri, String reason) {
    assertInvalid(uri, reason);
  }

  @Test
  void rejectsControlCharacters() {
    assertInvalid("models:/fli\u0000ghts@champion", "control characters");
    assertInvalid("runs:/abc/mo\tdel", "control characters");
  }

  @Test
  void rejectsOverlongAliasAndRunId() {
    assertInvalid("models:/m@" + "a".repeat(256), "may only contain");
    assertInvalid("runs:/" + "a".repeat(257) + "/model", "run id");
  }

  @Test
  void recordsValidateToo() {
    assertThrows(IllegalArgumentException.class, () -> new ModelUri.RegisteredVersion("m", 0));
    assertThrows(IllegalArgumentException.class, () -> new ModelUri.RegisteredAlias("m", "latest"));
    assertThrows(IllegalArgumentException.class, () -> new ModelUri.RunArtifact("abc", "../x"));
  }

  private static void assertInvalid(String uri, String reason) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ModelUri.parse(uri), String.valueOf(uri));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
    assertTrue(e.getMessage().contains("Expected models:/<name>@<alias>"), e.getMessage());
  }
}
