package org.beammlops.benchmarks;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.deadletter.RejectedRecordException;
import org.beammlops.transforms.lake.EventDates;
import org.beammlops.transforms.parse.RecordParser;

/**
 * The baseline of {@code bench ingest}: one thread reads a Parquet file, validates each row with
 * the same {@link RecordParser} the pipeline uses, and writes Snappy Parquet partitioned by event
 * date. No Beam, no shuffle, no de-duplication: the cost floor of the work itself.
 */
final class PlainJavaIngest {
  private PlainJavaIngest() {}

  /** Returns {valid, rejected}. */
  static long[] run(UseCase useCase, String input, String outputDir) throws IOException {
    RecordParser parser = new RecordParser(useCase);
    EventDates dates = EventDates.of(useCase);
    Configuration conf = new Configuration();
    Map<String, ParquetWriter<GenericRecord>> writers = new HashMap<>();
    long valid = 0;
    long rejected = 0;
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(HadoopInputFile.fromPath(new Path(input), conf))
            .build()) {
      GenericRecord row;
      long position = 0;
      while ((row = reader.read()) != null) {
        position++;
        GenericRecord record;
        try {
          record = parser.fromRow(row, input, position);
        } catch (RejectedRecordException e) {
          rejected++;
          continue;
        }
        String date = dates.apply(record);
        ParquetWriter<GenericRecord> writer = writers.get(date);
        if (writer == null) {
          writer =
              AvroParquetWriter.<GenericRecord>builder(
                      HadoopOutputFile.fromPath(
                          new Path(outputDir + "/date=" + date + "/part-0.parquet"), conf))
                  .withSchema(useCase.lakeSchema())
                  .withCompressionCodec(CompressionCodecName.SNAPPY)
                  .build();
          writers.put(date, writer);
        }
        writer.write(record);
        valid++;
      }
    } finally {
      for (ParquetWriter<GenericRecord> writer : writers.values()) {
        writer.close();
      }
    }
    return new long[] {valid, rejected};
  }
}
