package org.beammlops.pipelines.replay;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.beammlops.pipelines.common.MlopsOptions;
import org.beammlops.transforms.parse.Format;

/** Options of {@code ./mlops replay}, the stream generator. */
public interface ReplayOptions extends MlopsOptions {

  @Description("Data set to replay: a file or glob (csv, json lines, parquet).")
  @Validation.Required
  String getInput();

  void setInput(String value);

  @Description("Input format: auto (by extension), csv, json, parquet.")
  @Default.Enum("auto")
  Format getFormat();

  void setFormat(Format value);

  @Description("Payload encoding of the published messages: json or avro.")
  @Default.String("json")
  String getPayload();

  void setPayload(String value);

  @Description("Events per second to publish (0 = as fast as possible).")
  @Default.Double(0)
  double getRate();

  void setRate(double value);

  @Description("Event-time delay after which a record's true label is published (ISO-8601).")
  @Default.String("PT1H")
  String getFeedbackDelay();

  void setFeedbackDelay(String value);

  @Description("Share of records (0..1) to change, to simulate drift; exactly round(share * n).")
  @Default.Double(0)
  double getDrift();

  void setDrift(double value);

  @Description(
      "Feature to drift (a field of role feature); required when --drift is above 0, ignored"
          + " otherwise.")
  String getDriftFeature();

  void setDriftFeature(String value);

  @Description(
      "How to drift: shift (add), scale (multiply) a numeric feature; mix (replace) a"
          + " categorical one.")
  @Default.String("scale")
  String getDriftKind();

  void setDriftKind(String value);

  @Description("Amount for shift/scale, or the category to mix in for mix.")
  @Default.String("1.5")
  String getDriftAmount();

  void setDriftAmount(String value);

  @Description("Share of malformed messages (0..1) to mix in, on top of the valid records.")
  @Default.Double(0)
  double getBadRecords();

  void setBadRecords(double value);

  @Description(
      "Share of records (0..1) whose feedback carries a wrong label (exactly round(share * n)):"
          + " another class for classification, the value moved by 30 (away from 0) for"
          + " regression; the requests are unchanged, so the live metrics degrade.")
  @Default.Double(0)
  double getLabelNoise();

  void setLabelNoise(double value);

  @Description("Seed for choosing drifted records and the place of bad ones.")
  @Default.Long(42)
  long getSeed();

  void setSeed(long value);

  @Description("Replay at most this many records, the earliest in event time (0 = all).")
  @Default.Long(0)
  long getLimit();

  void setLimit(long value);

  @Description("Topic for requests; default the use case's <uc>.requests.")
  String getRequestsTopic();

  void setRequestsTopic(String value);

  @Description("Topic for feedback; default the use case's <uc>.feedback.")
  String getFeedbackTopic();

  void setFeedbackTopic(String value);
}
