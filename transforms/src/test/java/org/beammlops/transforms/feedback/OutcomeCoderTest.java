package org.beammlops.transforms.feedback;

import org.apache.beam.sdk.testing.CoderProperties;
import org.junit.Test;

/** The outcome and truth coders give back what they were given, for every task kind's shape. */
public class OutcomeCoderTest {
  @Test
  public void outcomesOfEveryKindRoundTrip() throws Exception {
    CoderProperties.coderDecodeEncodeEqual(
        OutcomeCoder.of(), new Outcome("r1", "3", 1_000L, 0.7, 1, new double[0], 1.0));
    CoderProperties.coderDecodeEncodeEqual(
        OutcomeCoder.of(), new Outcome("r2", "all", -5L, 12.5, -1, new double[0], null));
    CoderProperties.coderDecodeEncodeEqual(
        OutcomeCoder.of(),
        new Outcome("r-ünï", "1", 7L, 0.0, 2, new double[] {0.1, 0.2, 0.7}, 2.0));
  }

  @Test
  public void truthsRoundTrip() throws Exception {
    CoderProperties.coderDecodeEncodeEqual(
        OutcomeCoder.TruthCoder.of(), new Truth("r1", 1_000L, 0.0));
    CoderProperties.coderDecodeEncodeEqual(
        OutcomeCoder.TruthCoder.of(), new Truth("", Long.MIN_VALUE, -3.5));
  }
}
