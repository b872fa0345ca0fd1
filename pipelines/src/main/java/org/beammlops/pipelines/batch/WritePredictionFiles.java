package org.beammlops.pipelines.batch;

import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.commons.csv.CSVFormat;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.beammlops.schemas.Prediction;
import org.beammlops.transforms.lake.GenericRecords;
import org.beammlops.transforms.serving.PredictionJson;

/**
 * Predictions as files {@code <dir>/predictions-SSSSS-of-NNNNN.<ext>}: JSON lines (the records the
 * score pipeline publishes), CSV (a header and the columns a spreadsheet needs) or Parquet (the
 * full {@link Prediction} schema, as in the lake's prediction log).
 */
final class WritePredictionFiles
    extends PTransform<PCollection<Prediction>, WriteFilesResult<Void>> {
  static final String PREFIX = "predictions";
  static final String CSV_HEADER =
      "requestId,eventTime,modelName,modelVersion,prediction,predictedClass";

  private final String dir;
  private final String format;
  private final int shards;

  private WritePredictionFiles(String dir, String format, int shards) {
    this.dir = dir;
    this.format = format;
    this.shards = shards;
  }

  /** {@code format} json, csv or parquet; {@code shards} 0 lets the runner decide. */
  static WritePredictionFiles to(String dir, String format, int shards) {
    return new WritePredictionFiles(dir, format, shards);
  }

  @Override
  public WriteFilesResult<Void> expand(PCollection<Prediction> predictions) {
    return switch (format) {
      case "json" ->
          writeLines(
              predictions.apply(
                  "AsJsonLines",
                  MapElements.into(TypeDescriptors.strings())
                      .via(p -> new String(PredictionJson.json(p), StandardCharsets.UTF_8))),
              TextIO.sink(),
              ".jsonl");
      case "csv" ->
          writeLines(
              predictions.apply(
                  "AsCsvRows",
                  MapElements.into(TypeDescriptors.strings()).via(WritePredictionFiles::csvRow)),
              TextIO.sink().withHeader(CSV_HEADER),
              ".csv");
      case "parquet" -> writeParquet(predictions);
      default -> throw new IllegalArgumentException("unknown target format " + format);
    };
  }

  private WriteFilesResult<Void> writeLines(
      PCollection<String> lines, TextIO.Sink sink, String suffix) {
    return lines.apply("WriteFiles", sharded(FileIO.<String>write().via(sink), suffix));
  }

  private WriteFilesResult<Void> writeParquet(PCollection<Prediction> predictions) {
    Schema schema = Prediction.getClassSchema();
    return predictions
        .apply(
            "AsRows",
            MapElements.into(TypeDescriptor.of(GenericRecord.class)).via(GenericRecords::toGeneric))
        .setCoder(AvroCoder.of(GenericRecord.class, schema))
        .apply(
            "WriteFiles",
            sharded(
                FileIO.<GenericRecord>write()
                    .via(ParquetIO.sink(schema).withCompressionCodec(CompressionCodecName.SNAPPY)),
                ".parquet"));
  }

  private <T> FileIO.Write<Void, T> sharded(FileIO.Write<Void, T> write, String suffix) {
    FileIO.Write<Void, T> named = write.to(dir).withPrefix(PREFIX).withSuffix(suffix);
    return shards > 0 ? named.withNumShards(shards) : named;
  }

  /** One CSV row in the order of {@link #CSV_HEADER}, quoted where a value needs it. */
  static String csvRow(Prediction p) {
    return CSVFormat.DEFAULT.format(
        p.getRequestId(),
        p.getEventTime(),
        p.getModelName(),
        p.getModelVersion(),
        p.getPrediction(),
        p.getPredictedClass() == null ? "" : p.getPredictedClass());
  }
}
