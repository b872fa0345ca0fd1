package org.beammlops.transforms.feedback;

import static org.junit.Assert.assertEquals;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.beammlops.transforms.feedback.ModelVersionCheck.Verdict;
import org.beammlops.transforms.tracking.LocalTrackingServer;
import org.beammlops.transforms.tracking.RunHandle;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingConfig;
import org.beammlops.transforms.tracking.TrackingSettings;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The registry lookup of the metrics job against the real tracking server, up and down. */
public class ModelVersionCheckIT {
  @ClassRule public static final TemporaryFolder TEMP = new TemporaryFolder();

  private static void register(TrackingClient client, String model) {
    String experiment = client.getOrCreateExperiment(model);
    client.ensureRegisteredModel(model);
    try (RunHandle run = client.startRun(experiment, "train", Map.of())) {
      client.createModelVersion(model, "runs:/" + run.runId() + "/model", run.runId(), Map.of());
    }
  }

  @Test
  public void knowsRegisteredVersionsFindsNewOnesAfterTheRefreshAndNeverGuesses() throws Exception {
    try (LocalTrackingServer server = LocalTrackingServer.start(TEMP.newFolder().toPath());
        TrackingClient client =
            TrackingClient.create(TrackingConfig.builder().trackingUri(server.url()).build())) {
      register(client, "m");
      ModelVersionCheck eager =
          ModelVersionCheck.registeredIn(TrackingSettings.of(server.url()), Duration.ZERO);
      ModelVersionCheck patient =
          ModelVersionCheck.registeredIn(TrackingSettings.of(server.url()), Duration.ofHours(1));
      assertEquals(Verdict.KNOWN, eager.check("m", "1"));
      assertEquals(Verdict.UNKNOWN, eager.check("m", "2"));
      assertEquals(Verdict.UNKNOWN, patient.check("m", "2"));
      assertEquals(Verdict.UNKNOWN, eager.check("other-model", "1"));
      // not a registry version at all, and the aggregate's own key
      assertEquals(Verdict.UNKNOWN, eager.check("m", "all"));
      assertEquals(Verdict.UNKNOWN, eager.check("m", "v1"));
      assertEquals(Verdict.UNKNOWN, eager.check("m", ""));
      assertEquals(Verdict.KNOWN, eager.check("m", ModelVersionCheck.LOCAL_VERSION));

      register(client, "m"); // version 2, registered after the misses above
      assertEquals(Verdict.KNOWN, eager.check("m", "2"));
      // a miss asks again only after the refresh interval: one lookup per hour here
      assertEquals(Verdict.UNKNOWN, patient.check("m", "2"));
      assertEquals(Verdict.KNOWN, patient.check("m", "1"));
    }
  }

  @Test
  public void aRegistryThatCannotBeReachedLeavesVersionsUnverifiedNotUnknown() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ModelVersionCheck check =
        ModelVersionCheck.registeredIn(
            TrackingSettings.of("http://127.0.0.1:" + port), Duration.ZERO);
    assertEquals(Verdict.UNVERIFIED, check.check("m", "1"));
    assertEquals(Verdict.UNKNOWN, check.check("m", "all")); // still never a registry version

    try (LocalTrackingServer server = LocalTrackingServer.start(TEMP.newFolder().toPath(), port);
        TrackingClient client =
            TrackingClient.create(TrackingConfig.builder().trackingUri(server.url()).build())) {
      register(client, "m");
      assertEquals(Verdict.KNOWN, check.check("m", "1")); // the server answers again
      assertEquals(Verdict.UNKNOWN, check.check("m", "3"));
    }
    // down again: what was learned stays known, what was not is unverified
    assertEquals(Verdict.KNOWN, check.check("m", "1"));
    assertEquals(Verdict.UNVERIFIED, check.check("m", "3"));
  }
}
