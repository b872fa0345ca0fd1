package org.beammlops.transforms.tracking;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** An artifact root whose scheme Beam has no file system for is a clear error that says why. */
class BeamArtifactStoreTest {
  @Test
  void aSchemeWithoutABeamFileSystemIsNamedWithTheModuleToAdd() {
    assertTrue(BeamArtifactStore.hasFileSystem("file"));
    assertFalse(BeamArtifactStore.hasFileSystem("nosuchscheme"));
    TrackingException e =
        assertThrows(
            TrackingException.class,
            () -> new BeamArtifactStore("nosuchscheme://bucket/run/artifacts").list(""));
    assertTrue(
        e.getMessage().contains("Beam has no file system for scheme 'nosuchscheme'"),
        e.getMessage());
  }
}
