package org.beammlops.transforms.profile;

import static org.apache.datasketches.quantilescommon.QuantileSearchCriteria.INCLUSIVE;

import java.util.ArrayList;
import java.util.List;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.beammlops.schemas.HistogramBin;

/**
 * Equal-mass histograms read from a KLL sketch, the reference bins for PSI and the binned KS and
 * chi-square tests of the drift pipeline.
 *
 * <p>Bin edges are the sketch's quantiles at ranks {@code 0, 1/B, ..., 1}, de-duplicated, so they
 * are values that occur in the data and a value repeated often enough (an atom) does not make empty
 * bins. The first bin is {@code [lower, upper]}, every later one {@code (lower, upper]}; when the
 * minimum alone holds at least a {@code 1/B} share (a point mass, e.g. the zeros of a 0/1 feature)
 * it gets a bin {@code [min, min]} of its own. Counts are the sketch's CDF at each upper edge times
 * the count, rounded, minus the previous one: they are exact while the sketch still holds every
 * value (up to {@link DatasetProfiler#SKETCH_K} of them) and otherwise each cumulative count is
 * within the sketch's normalized rank error (about 0.28% of the count for k = 1000, with 99%
 * confidence) of the truth; they always sum to the count. A consumer comparing live data with these
 * bins should extend the first and last bin to infinity.
 */
final class Histograms {
  private Histograms() {}

  /** About {@code bins} bins over the values in {@code sketch}; empty for an empty sketch. */
  static List<HistogramBin> of(KllDoublesSketch sketch, int bins) {
    if (sketch.isEmpty()) {
      return List.of();
    }
    long n = sketch.getN();
    double min = sketch.getMinItem();
    double max = sketch.getMaxItem();
    if (min == max) {
      return List.of(bin(min, max, n));
    }
    double[] ranks = new double[bins + 1];
    for (int i = 0; i <= bins; i++) {
      ranks[i] = (double) i / bins;
    }
    double[] edges = sketch.getQuantiles(ranks, INCLUSIVE);
    edges[0] = min;
    edges[bins] = max;

    List<Double> uppers = new ArrayList<>();
    if (edges[1] == min) {
      uppers.add(min);
    }
    double last = min;
    for (double e : edges) {
      if (e > last) {
        uppers.add(e);
        last = e;
      }
    }
    double[] splits = new double[uppers.size() - 1];
    for (int i = 0; i < splits.length; i++) {
      splits[i] = uppers.get(i);
    }
    double[] cdf = splits.length == 0 ? new double[] {1.0} : sketch.getCDF(splits, INCLUSIVE);

    List<HistogramBin> out = new ArrayList<>(uppers.size());
    double lower = min;
    long before = 0;
    for (int i = 0; i < uppers.size(); i++) {
      long upTo =
          i == uppers.size() - 1 ? n : Math.max(before, Math.min(n, Math.round(cdf[i] * n)));
      out.add(bin(lower, uppers.get(i), upTo - before));
      before = upTo;
      lower = uppers.get(i);
    }
    return out;
  }

  private static HistogramBin bin(double lower, double upper, long count) {
    return HistogramBin.newBuilder().setLower(lower).setUpper(upper).setCount(count).build();
  }
}
