package org.beammlops.transforms.lake;

import java.time.LocalDate;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * The records of a lake's events, optionally limited to a range of event dates. The range is
 * applied to the {@code date=} partitions before any file is opened, so a narrow range reads only
 * its own files.
 */
public final class ReadLake extends PTransform<PBegin, PCollection<GenericRecord>> {
  private final String glob;
  private final String schemaJson;
  private final String from;
  private final String to;

  private ReadLake(String glob, Schema schema, String from, String to) {
    this.glob = glob;
    this.schemaJson = schema.toString();
    this.from = from;
    this.to = to;
  }

  /** Every event of {@code lake}, read with {@code schema} (the use case's lake schema). */
  public static ReadLake of(Lake lake, Schema schema) {
    return new ReadLake(lake.eventsGlob(), schema, null, null);
  }

  /**
   * Every record under {@code glob} (a lake directory's {@code date=} partitions, such as the
   * prediction log's), read with {@code schema}.
   */
  public static ReadLake files(String glob, Schema schema) {
    return new ReadLake(glob, schema, null, null);
  }

  /**
   * Only the event dates from {@code from} to {@code to}, both inclusive; null leaves a side open.
   */
  public ReadLake between(LocalDate from, LocalDate to) {
    return new ReadLake(
        glob,
        new Schema.Parser().parse(schemaJson),
        from == null ? null : from.toString(),
        to == null ? null : to.toString());
  }

  @Override
  public PCollection<GenericRecord> expand(PBegin input) {
    Schema schema = new Schema.Parser().parse(schemaJson);
    String lower = from;
    String upper = to;
    return input
        .apply(
            "MatchEvents",
            FileIO.match().filepattern(glob).withEmptyMatchTreatment(EmptyMatchTreatment.ALLOW))
        .apply(
            "KeepDateRange",
            Filter.by((MatchResult.Metadata file) -> inRange(partitionDate(file), lower, upper)))
        .apply("OpenEvents", FileIO.readMatches())
        .apply("ReadEvents", ParquetIO.readFiles(schema))
        .setCoder(AvroCoder.of(schema));
  }

  /** The date of the {@code date=YYYY-MM-DD} directory a file sits in, or "" when there is none. */
  public static String partitionDate(MatchResult.Metadata file) {
    String dir = file.resourceId().getCurrentDirectory().toString();
    int at = dir.lastIndexOf("date=");
    if (at < 0) {
      return "";
    }
    String rest = dir.substring(at + 5);
    return rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
  }

  /**
   * Whether a partition may hold dates from {@code from} to {@code to}: a day or a month is
   * compared with the bounds cut to its length; the one partition of an unpartitioned lake always
   * may. A coarse partition can hold dates outside the range, so readers that need an exact range
   * also filter records.
   */
  public static boolean inRange(String partition, String from, String to) {
    if (partition.isEmpty() || partition.equals(EventDates.ALL)) {
      return true;
    }
    int n = partition.length();
    return (from == null || partition.compareTo(cut(from, n)) >= 0)
        && (to == null || partition.compareTo(cut(to, n)) <= 0);
  }

  private static String cut(String date, int length) {
    return date.length() > length ? date.substring(0, length) : date;
  }
}
