package org.beammlops.benchmarks;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.beammlops.pipelines.score.ScoreOptions;

/**
 * Options of {@code ./mlops bench score}: the score pipeline's own (the same batch size, model and
 * broker for every contender) plus how much load to apply. The pipeline options reach the pipeline
 * contenders unchanged, so e.g. {@code --maxBundleTimeMills} can be tried on Flink.
 */
public interface ScoreBenchOptions extends ScoreOptions {

  @Description("Contenders, in order: plain (hand-written Java loop), direct, flink.")
  @Default.String("plain,direct,flink")
  String getRunners();

  void setRunners(String value);

  @Description("Parquet file whose rows become the requests (cycled, at most 20,000 distinct).")
  @Default.String("data/flights-sample.parquet")
  String getInput();

  void setInput(String value);

  @Description(
      "Throughput phase: requests to produce at most, as fast as the contender takes them.")
  @Default.Integer(2_000_000)
  int getRequests();

  void setRequests(int value);

  @Description(
      "Throughput phase: most seconds of producing per contender (a slow contender stops here).")
  @Default.Integer(40)
  int getMaxSeconds();

  void setMaxSeconds(int value);

  @Description(
      "Throughput phase: most requests produced but not yet answered (keeps the contender busy"
          + " without burying a slow one under a backlog).")
  @Default.Integer(20_000)
  int getInFlight();

  void setInFlight(int value);

  @Description("Fixed-rate phase: requests per second (0 = skip the phase).")
  @Default.Integer(5_000)
  int getRate();

  void setRate(int value);

  @Description("Fixed-rate phase: seconds of producing at --rate.")
  @Default.Integer(20)
  int getRateSeconds();

  void setRateSeconds(int value);

  @Description(
      "Seconds to wait after the last request of a phase for the predictions still due; what has"
          + " not arrived by then counts with its wait so far (the percentiles become lower bounds).")
  @Default.Integer(15)
  int getDrainSeconds();

  void setDrainSeconds(int value);

  @Description("Warm-up requests scored before each measurement (start-up and JIT stay out).")
  @Default.Integer(3_000)
  int getWarmup();

  void setWarmup(int value);

  @Description("Most seconds a contender may take to score its warm-up (start-up included).")
  @Default.Integer(240)
  int getStartupSeconds();

  void setStartupSeconds(int value);
}
