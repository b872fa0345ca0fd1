package org.beammlops.pipelines.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/** Reads what a pipeline wrote to the lake straight from the Parquet files, as a user would. */
public final class LakeFiles {
  private LakeFiles() {}

  /** Every row of every {@code .parquet} file under a directory (none if it does not exist). */
  public static List<GenericRecord> readAll(Path dir) throws IOException {
    List<GenericRecord> rows = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return rows;
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
    }
    for (Path file : files) {
      try (ParquetReader<GenericRecord> reader =
          AvroParquetReader.<GenericRecord>builder(
                  HadoopInputFile.fromPath(
                      new org.apache.hadoop.fs.Path(file.toString()), new Configuration()))
              .build()) {
        GenericRecord row;
        while ((row = reader.read()) != null) {
          rows.add(row);
        }
      }
    }
    return rows;
  }
}
