package org.beammlops.transforms.lake;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.parquet.avro.AvroReadSupport;

/**
 * The ids already in a lake's events, read from the id column alone (a Parquet projection), so that
 * ingest can skip what a previous run wrote. An empty lake yields no ids.
 */
public final class ReadLakeIds extends PTransform<PBegin, PCollection<String>> {
  private final String glob;
  private final String idField;

  private ReadLakeIds(String glob, String idField) {
    this.glob = glob;
    this.idField = idField;
  }

  public static ReadLakeIds of(Lake lake, String idField) {
    return new ReadLakeIds(lake.eventsGlob(), idField);
  }

  @Override
  public PCollection<String> expand(PBegin input) {
    String field = idField;
    Schema projection =
        Schema.createRecord(
            "IdOnly",
            null,
            "org.beammlops.lake",
            false,
            java.util.List.of(
                new Schema.Field(
                    field,
                    Schema.createUnion(
                        Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
                    null,
                    Schema.Field.NULL_DEFAULT_VALUE)));
    SerializableFunction<GenericRecord, String> idOf =
        record -> {
          Object id = record.get(field);
          return id == null ? "" : id.toString();
        };
    return input
        .apply(
            "MatchLake",
            FileIO.match().filepattern(glob).withEmptyMatchTreatment(EmptyMatchTreatment.ALLOW))
        .apply("OpenLakeFiles", FileIO.readMatches())
        .apply(
            "ReadIdColumn",
            ParquetIO.parseFilesGenericRecords(idOf)
                .withCoder(StringUtf8Coder.of())
                .withConfiguration(
                    java.util.Map.of(
                        AvroReadSupport.AVRO_REQUESTED_PROJECTION, projection.toString())));
  }
}
