package org.beammlops.transforms.learn;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.transforms.FlightRecords;
import org.beammlops.transforms.deadletter.RejectedRecordException;
import org.beammlops.transforms.features.FeatureSpec;
import org.beammlops.transforms.lake.ParquetFiles;
import org.beammlops.transforms.parse.RecordParser;

/** The first rows of the committed flights sample, parsed as the use case's records. */
final class FlightsSample {
  static final String FILE = "../data/flights-sample.parquet";

  private FlightsSample() {}

  static List<GenericRecord> firstRows(int n) {
    RecordParser parser = new RecordParser(FlightRecords.FLIGHTS);
    List<GenericRecord> rows = new ArrayList<>();
    long[] position = {0};
    ParquetFiles.forEachRecord(
        FILE,
        row -> {
          if (rows.size() < n) {
            try {
              rows.add(parser.fromRow(row, FILE, ++position[0]));
            } catch (RejectedRecordException e) {
              // The sample has a few rows the use case rejects (e.g. delays beyond its bounds).
            }
          }
        });
    return rows;
  }

  /** Labelled rows as a training matrix, vectorized with {@code spec}. */
  static TrainingMatrix matrix(List<GenericRecord> records, FeatureSpec spec, Task task) {
    TrainingMatrix.Builder b = TrainingMatrix.builder(spec.width());
    for (GenericRecord r : records) {
      Object label = r.get(task.label());
      if (label instanceof Number n) {
        b.add(spec.vectorize(r), task.target(n));
      }
    }
    return b.build();
  }
}
