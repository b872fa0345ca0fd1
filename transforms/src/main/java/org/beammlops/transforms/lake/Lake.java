package org.beammlops.transforms.lake;

import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * The layout of one use case's part of the lake, on any Beam file system:
 *
 * <pre>
 * &lt;lake&gt;/&lt;uc&gt;/events/date=YYYY-MM-DD/part-*.parquet        validated, de-duplicated records
 * &lt;lake&gt;/&lt;uc&gt;/deadletter/date=YYYY-MM-DD/part-*.parquet    rejects, with bytes and reason
 * &lt;lake&gt;/&lt;uc&gt;/predictions/date=YYYY-MM-DD/part-*.parquet   the scoring pipeline's log, by day scored
 * &lt;lake&gt;/&lt;uc&gt;/training/&lt;run id&gt;/                         training and holdout sets
 * </pre>
 */
public final class Lake implements Serializable {
  private final String root;
  private final String useCase;

  private Lake(String root, String useCase) {
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    this.useCase = useCase;
  }

  public static Lake at(String root, String useCase) {
    return new Lake(root, useCase);
  }

  public String useCaseDir() {
    return root + "/" + useCase;
  }

  public String eventsDir() {
    return useCaseDir() + "/events";
  }

  public String deadLetterDir() {
    return useCaseDir() + "/deadletter";
  }

  public String predictionsDir() {
    return useCaseDir() + "/predictions";
  }

  /** Every file of the prediction log. */
  public String predictionsGlob() {
    return predictionsDir() + "/date=*/*.parquet";
  }

  /** The drift reports, one directory per drift run. */
  public String driftDir() {
    return useCaseDir() + "/drift";
  }

  /** The live metric windows of the feedback-metrics pipeline. */
  public String metricsDir() {
    return useCaseDir() + "/metrics";
  }

  public String trainingDir(String runId) {
    return useCaseDir() + "/training/" + runId;
  }

  /** Where writes stage their files before they are renamed into place. */
  public String tempDir() {
    return useCaseDir() + "/_tmp";
  }

  /** Glob of every event file. */
  public String eventsGlob() {
    return eventsDir() + "/date=*/*.parquet";
  }

  /** Directory of one event-date partition. */
  public static String partition(String dir, String date) {
    return dir + "/date=" + date;
  }

  /**
   * Fails with a clear message when the lake cannot be written, before a pipeline spends time
   * reading its input: writes and deletes a probe file.
   */
  public void checkWritable() {
    ResourceId probe =
        FileSystems.matchNewResource(useCaseDir() + "/.write-probe-" + UUID.randomUUID(), false);
    try {
      try (WritableByteChannel channel = FileSystems.create(probe, MimeTypes.BINARY)) {
        channel.write(ByteBuffer.wrap(new byte[] {1}));
      }
      FileSystems.delete(List.of(probe), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "Cannot write to the lake at " + useCaseDir() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return useCaseDir();
  }
}
