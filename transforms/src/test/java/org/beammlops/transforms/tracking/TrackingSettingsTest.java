package org.beammlops.transforms.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tracking options as they travel: the URI resolved on the launcher, credentials read where the
 * code runs from the file or the variables the options name, and no secret in the options, their
 * display data or the settings a worker receives.
 */
class TrackingSettingsTest {
  private static final String SECRET = "s3cr3t-pa55";
  @TempDir Path temp;

  private static TrackingOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).as(TrackingOptions.class);
  }

  @Test
  void theUriComesFromTheOptionElseTheLaunchersEnvironmentAndIsSetOnTheOptions() {
    TrackingOptions given = options("--trackingUri=http://tracking.example:5000/");
    assertEquals(
        "http://tracking.example:5000",
        TrackingSettings.fromOptions(given, Map.of("MLFLOW_TRACKING_URI", "http://other:1"))
            .trackingUri());
    TrackingOptions fromEnv = options();
    assertEquals(
        "http://launcher:5000",
        TrackingSettings.fromOptions(fromEnv, Map.of("MLFLOW_TRACKING_URI", "http://launcher:5000"))
            .trackingUri());
    assertEquals("http://launcher:5000", fromEnv.getTrackingUri(), "a worker sees it explicitly");
    assertEquals(
        TrackingConfig.DEFAULT_TRACKING_URI,
        TrackingSettings.fromOptions(options(), Map.of()).trackingUri());
  }

  @Test
  void aCredentialsFileAuthenticatesWhereverTheSettingsAreUsed() throws Exception {
    Path file = Files.writeString(temp.resolve("creds"), "username=ada\npassword=" + SECRET);
    TrackingSettings settings =
        TrackingSettings.fromOptions(
            options("--trackingUri=http://t:5000", "--trackingCredentialsFile=" + file), Map.of());
    TrackingSettings onWorker = SerializableUtils.clone(settings);
    TrackingConfig config = onWorker.builder(name -> null).build();
    assertEquals(
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("ada:" + SECRET).getBytes(StandardCharsets.UTF_8)),
        config.authorizationHeader().orElseThrow());
    assertFalse(settings.toString().contains(SECRET));
    assertFalse(config.toString().contains(SECRET));
  }

  @Test
  void credentialsComeFromTheVariablesTheOptionsName() {
    TrackingSettings settings =
        TrackingSettings.fromOptions(
            options("--trackingUri=http://t:5000", "--trackingTokenEnv=MY_TOKEN"), Map.of());
    Map<String, String> workerEnv = Map.of("MY_TOKEN", SECRET);
    assertEquals(
        "Bearer " + SECRET, settings.builder(workerEnv::get).build().authorizationHeader().get());
    assertTrue(settings.builder(name -> null).build().authorizationHeader().isEmpty());
  }

  @Test
  void noSecretInTheOptionsTheirJsonOrTheirDisplayData() throws Exception {
    Path file = Files.writeString(temp.resolve("creds"), "token=" + SECRET);
    TrackingOptions options =
        options("--trackingUri=http://t:5000", "--trackingCredentialsFile=" + file);
    TrackingSettings.fromOptions(options, Map.of());
    String json = new ObjectMapper().writeValueAsString(options);
    assertTrue(json.contains(file.toString()), json);
    assertFalse(json.contains(SECRET), json);
    assertFalse(DisplayData.from(options).toString().contains(SECRET));
  }

  @Test
  void aCredentialsFileThatCannotBeUsedIsAClearErrorNamingTheOptionNotTheSecret() throws Exception {
    Path missing = temp.resolve("no-such-file");
    Path directory = Files.createDirectories(temp.resolve("a-directory"));
    Path noKeys = Files.writeString(temp.resolve("no-keys"), "pasword=" + SECRET);
    Path halfBasic = Files.writeString(temp.resolve("half"), "password=" + SECRET);
    // Tests run as root, for whom every file is readable: a directory stands in for a file that
    // cannot be read.
    for (Map.Entry<Path, String> bad :
        Map.of(
                missing, "no such file",
                directory, "not a regular file",
                noKeys, "needs username= and password=, or token=",
                halfBasic, "needs username= and password=, or token=")
            .entrySet()) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  TrackingSettings.fromOptions(
                      options("--trackingCredentialsFile=" + bad.getKey()), Map.of()));
      assertTrue(
          e.getMessage().startsWith("--trackingCredentialsFile=" + bad.getKey()), e.getMessage());
      assertTrue(e.getMessage().contains(bad.getValue()), e.getMessage());
      assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    }
  }

  @Test
  void aUriCarryingCredentialsIsRefusedWithoutRepeatingThem() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TrackingSettings.fromOptions(
                    options("--trackingUri=http://ada:" + SECRET + "@t:5000"), Map.of()));
    assertTrue(e.getMessage().contains("--trackingCredentialsFile"), e.getMessage());
    assertFalse(e.getMessage().contains(SECRET), e.getMessage());
  }
}
