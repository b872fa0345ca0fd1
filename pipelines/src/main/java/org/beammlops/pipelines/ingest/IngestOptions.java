package org.beammlops.pipelines.ingest;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.StreamingOptions;
import org.beammlops.pipelines.common.DedupOptions;
import org.beammlops.pipelines.common.MlopsOptions;
import org.beammlops.transforms.parse.Format;

/** Options of {@code ./mlops ingest}. */
public interface IngestOptions extends MlopsOptions, DedupOptions, StreamingOptions {

  @Description("Input file or glob (any Beam file system). Required unless --fromTopic is set.")
  String getInput();

  void setInput(String value);

  @Description(
      "Input format: auto (by file extension), csv, json, parquet; for Kafka json or avro.")
  @Default.Enum("auto")
  Format getFormat();

  void setFormat(Format value);

  @Description("Keep running and ingest each new file that appears under --input.")
  @Default.Boolean(false)
  boolean getWatch();

  void setWatch(boolean value);

  @Description("With --watch: seconds between looks for new files.")
  @Default.Integer(10)
  int getWatchIntervalSeconds();

  void setWatchIntervalSeconds(int value);

  @Description("Read this Kafka topic instead of files (e.g. flights.requests).")
  String getFromTopic();

  void setFromTopic(String value);

  @Description("With --fromTopic: stop after this many messages (0 = run until cancelled).")
  @Default.Long(0)
  long getMaxRecords();

  void setMaxRecords(long value);

  @Description("With --fromTopic: stop after this many seconds (0 = no limit).")
  @Default.Long(0)
  long getMaxReadSeconds();

  void setMaxReadSeconds(long value);

  @Description(
      "Batch: groups for de-duplication, each held in one worker's memory; about one per 100,000"
          + " rows.")
  @Default.Integer(256)
  int getDedupBuckets();

  void setDedupBuckets(int value);

  @Description("Streaming: seconds between lake file commits (each pane becomes files).")
  @Default.Integer(30)
  int getCommitIntervalSeconds();

  void setCommitIntervalSeconds(int value);
}
