package org.beammlops.transforms.inference;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.net.ServerSocket;
import org.beammlops.transforms.tracking.TrackingSettings;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Resolving a model URI, and the registry poll's behaviour when the server is down. */
public class WatchModelRegistryTest {
  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  @Test
  public void aPollOfAServerThatIsDownFailsAtOnce() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port;
    long start = System.nanoTime();
    RuntimeException e =
        assertThrows(
            RuntimeException.class,
            () ->
                WatchModelRegistry.poll(
                    TrackingSettings.of(url), "models:/flights-delay15@champion"));
    double seconds = (System.nanoTime() - start) / 1e9;
    // A poll that retried would hold a worker thread for seconds; the next tick asks again.
    assertTrue("took " + seconds + " s", seconds < 3);
    assertTrue(e.getMessage(), e.getMessage().contains(url));
  }

  @Test
  public void aLocalModelDirectoryIsServedAsItIs() throws Exception {
    java.nio.file.Path dir = temp.newFolder("my-model").toPath();
    ModelRef ref = WatchModelRegistry.resolve("http://unused", dir.toString());
    assertEquals(new ModelRef("my-model", "local", dir.toString()), ref);
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> WatchModelRegistry.resolve("http://unused", dir.resolve("nope").toString()));
    assertTrue(missing.getMessage(), missing.getMessage().contains("does not exist"));
  }
}
