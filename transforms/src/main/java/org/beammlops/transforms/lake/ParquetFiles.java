package org.beammlops.transforms.lake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;

/**
 * Reads Parquet files of any Beam file system row by row outside a pipeline: for the few places
 * where one worker needs a whole, small-enough data set in memory, in a stable order (the training
 * set a learner is fitted on).
 */
public final class ParquetFiles {
  private ParquetFiles() {}

  /** The files matching {@code glob}, sorted by path; none is an empty list. */
  public static List<MatchResult.Metadata> match(String glob) {
    try {
      MatchResult result = FileSystems.match(glob, EmptyMatchTreatment.ALLOW);
      List<MatchResult.Metadata> files = new ArrayList<>(result.metadata());
      files.sort(Comparator.comparing(m -> m.resourceId().toString()));
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + glob + ": " + e.getMessage(), e);
    }
  }

  /** Hands every row of the files matching {@code glob} to {@code sink}, file by file in order. */
  public static long forEachRecord(String glob, Consumer<GenericRecord> sink) {
    long rows = 0;
    for (MatchResult.Metadata file : match(glob)) {
      try (ParquetReader<GenericRecord> reader =
          AvroParquetReader.<GenericRecord>builder(new BeamInputFile(file)).build()) {
        GenericRecord row;
        while ((row = reader.read()) != null) {
          sink.accept(row);
          rows++;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot read " + file.resourceId() + ": " + e.getMessage(), e);
      }
    }
    return rows;
  }
}
