package org.beammlops.transforms.learn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Random search over the boosted trees' hyperparameters. Trial 0 is the learner as configured, so
 * the search never does worse than the defaults; the others draw depth, learning rate, child
 * weight, row and column sampling and L2 penalty from ranges that suit tabular data (log-uniform
 * where the scale matters). Params the user set explicitly are never overridden.
 */
public final class RandomSearch {
  private RandomSearch() {}

  /** {@code trials} variants of {@code base}, named {@code <base>-trial-<i>}. */
  public static List<LearnerSpec> trials(LearnerSpec base, int trials, long seed) {
    if (trials < 1) {
      throw new IllegalArgumentException("a search needs at least one trial, got " + trials);
    }
    Random random = new Random(seed);
    List<LearnerSpec> out = new ArrayList<>();
    for (int i = 0; i < trials; i++) {
      Map<String, String> drawn = new TreeMap<>();
      if (i > 0) {
        drawn.put("max_depth", Integer.toString(3 + random.nextInt(6)));
        drawn.put("eta", round(logUniform(random, 0.03, 0.3)));
        drawn.put("min_child_weight", round(logUniform(random, 1, 20)));
        drawn.put("subsample", round(0.6 + 0.4 * random.nextDouble()));
        drawn.put("colsample_bytree", round(0.5 + 0.5 * random.nextDouble()));
        drawn.put("lambda", round(logUniform(random, 0.1, 10)));
        drawn.keySet().removeAll(base.params().keySet());
      }
      out.add(base.named(base.name() + "-trial-" + i).with(drawn));
    }
    return out;
  }

  private static double logUniform(Random random, double low, double high) {
    return Math.exp(Math.log(low) + random.nextDouble() * (Math.log(high) - Math.log(low)));
  }

  private static String round(double value) {
    return new java.math.BigDecimal(value)
        .round(new java.math.MathContext(3))
        .stripTrailingZeros()
        .toPlainString();
  }
}
