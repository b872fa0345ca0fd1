package org.beammlops.transforms.profile;

import static org.apache.datasketches.quantilescommon.QuantileSearchCriteria.INCLUSIVE;

import java.util.List;
import java.util.Map;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.schemas.FeatureProfile;

/**
 * What "a merged profile equals the one-pass profile" means: counts, min, max and counts per value
 * exactly; mean and standard deviation to 1e-9 relative; each quantile of the merged profile at a
 * rank within the sketches' normalized rank error of its rank in the one-pass sketch; the distinct
 * count within the HLL sketch's 3-sigma bounds. Throws an {@link AssertionError} naming the first
 * difference.
 */
public final class ProfileMergeAssertions {
  private ProfileMergeAssertions() {}

  public static void assertMergedEqualsOnePass(DatasetProfile onePass, DatasetProfile merged) {
    check(onePass.getRowCount() == merged.getRowCount(), "rowCount", onePass, merged);
    List<FeatureProfile> a = onePass.getFeatures();
    List<FeatureProfile> b = merged.getFeatures();
    check(a.size() == b.size(), "feature count", a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      FeatureProfile x = a.get(i);
      FeatureProfile y = b.get(i);
      String f = x.getName();
      check(f.equals(y.getName()), "feature name", f, y.getName());
      check(x.getCount() == y.getCount(), f + ".count", x.getCount(), y.getCount());
      check(x.getMissing() == y.getMissing(), f + ".missing", x.getMissing(), y.getMissing());
      check(java.util.Objects.equals(x.getMin(), y.getMin()), f + ".min", x.getMin(), y.getMin());
      check(java.util.Objects.equals(x.getMax(), y.getMax()), f + ".max", x.getMax(), y.getMax());
      close(x.getMean(), y.getMean(), f + ".mean");
      close(x.getStddev(), y.getStddev(), f + ".stddev");
      Map<String, Long> fx = x.getFrequencies();
      check(fx.equals(y.getFrequencies()), f + ".frequencies", fx, y.getFrequencies());
      if (x.getSketch() != null) {
        KllDoublesSketch sx = sketch(x);
        KllDoublesSketch sy = sketch(y);
        check(sx.getN() == sy.getN(), f + ".sketch n", sx.getN(), sy.getN());
        double eps = sx.getNormalizedRankError(false) + sy.getNormalizedRankError(false);
        for (Map.Entry<String, Double> q : y.getQuantiles().entrySet()) {
          double rankInOnePass = sx.getRank(q.getValue(), INCLUSIVE);
          double below = sx.getRank(Math.nextDown(q.getValue()), INCLUSIVE);
          double r = Double.parseDouble(q.getKey());
          // the merged quantile's value covers ranks (below, rankInOnePass] in the one-pass sketch
          check(
              r >= below - eps && r <= rankInOnePass + eps,
              f + ".quantile " + q.getKey(),
              "rank in the one-pass sketch " + below + ".." + rankInOnePass,
              q.getValue());
        }
      }
      if (x.getDistinctSketch() != null) {
        HllSketch hx = HllSketch.heapify(Memory.wrap(DatasetProfiles.bytes(x.getDistinctSketch())));
        double d = y.getDistinct();
        check(
            d >= hx.getLowerBound(3) - 1e-9 && d <= hx.getUpperBound(3) + 1e-9,
            f + ".distinct",
            hx.getLowerBound(3) + ".." + hx.getUpperBound(3),
            d);
      }
    }
  }

  private static KllDoublesSketch sketch(FeatureProfile f) {
    return KllDoublesSketch.heapify(Memory.wrap(DatasetProfiles.bytes(f.getSketch())));
  }

  private static void close(Double x, Double y, String what) {
    if (x == null || y == null) {
      check(x == null && y == null, what, x, y);
      return;
    }
    check(Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x)), what, x, y);
  }

  private static void check(boolean ok, String what, Object onePass, Object merged) {
    if (!ok) {
      throw new AssertionError(what + ": one pass " + onePass + ", merged " + merged);
    }
  }
}
