package org.beammlops.transforms.drift;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.beammlops.schemas.FeatureProfile;
import org.beammlops.transforms.profile.DatasetProfiler;
import org.beammlops.transforms.profile.DatasetProfiles;

/**
 * What the drift tests read of one feature in one profile: the present and missing counts, the
 * exact mean and standard deviation, the number of distinct values, and the distribution itself, as
 * the KLL sketch of a numeric feature and the exact counts per value of a categorical one (or of a
 * numeric one with few values).
 *
 * @param name the feature
 * @param numeric whether it is a numeric feature
 * @param count present values
 * @param missing missing values
 * @param stddev population standard deviation of a numeric feature, else NaN
 * @param distinct distinct present values (exact from the counts when there are any, else the HLL
 *     estimate, else NaN)
 * @param sketch the KLL sketch of a numeric feature; null for a categorical one
 * @param counts the count per value; empty for a numeric feature with many values
 */
public record FeatureDistribution(
    String name,
    boolean numeric,
    long count,
    long missing,
    double stddev,
    double distinct,
    KllDoublesSketch sketch,
    Map<String, Long> counts) {

  /**
   * The distribution a profile records; a numeric feature of a profile written before sketches were
   * kept (format 1) is an error that says so.
   */
  public static FeatureDistribution of(FeatureProfile f) {
    boolean numeric = DatasetProfiler.NUMERIC.equals(f.getKind());
    KllDoublesSketch sketch = null;
    if (numeric) {
      if (f.getSketch() == null) {
        if (f.getCount() > 0) {
          throw new IllegalArgumentException(
              "the profile of feature '"
                  + f.getName()
                  + "' has no quantile sketch: it was written before drift tests existed (profile"
                  + " format 1); train the model again to write one that has");
        }
        sketch = KllDoublesSketch.newHeapInstance(DatasetProfiler.SKETCH_K);
      } else {
        sketch = KllDoublesSketch.heapify(Memory.wrap(DatasetProfiles.bytes(f.getSketch())));
      }
    }
    Map<String, Long> counts = new LinkedHashMap<>(f.getFrequencies());
    double distinct =
        !counts.isEmpty() && !counts.containsKey(DatasetProfiler.OTHER)
            ? counts.size()
            : f.getDistinct() != null ? f.getDistinct() : Double.NaN;
    return new FeatureDistribution(
        f.getName(),
        numeric,
        f.getCount(),
        f.getMissing(),
        f.getStddev() == null ? Double.NaN : f.getStddev(),
        distinct,
        sketch,
        counts);
  }

  /** Whether the values were counted one by one (categorical, or numeric with few values). */
  public boolean counted() {
    return !counts.isEmpty();
  }
}
