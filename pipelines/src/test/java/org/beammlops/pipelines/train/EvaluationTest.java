package org.beammlops.pipelines.train;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** The gate's comparison: lower is better, and a gain below the minimum is not one. */
public class EvaluationTest {
  @Test
  public void aGainSmallerThanTheMinimumImprovementDoesNotCount() {
    // The demo's rerun on the same data: 0.4320750904 against 0.4320750938.
    assertFalse(Evaluation.betterBy(0.4320750904, 0.4320750938, 1e-6));
    assertTrue(Evaluation.betterBy(0.4310, 0.4320750938, 1e-6));
    assertTrue(Evaluation.betterBy(0.4320750904, 0.4320750938, 0));
    assertFalse(Evaluation.betterBy(0.44, 0.43, 0));
  }
}
