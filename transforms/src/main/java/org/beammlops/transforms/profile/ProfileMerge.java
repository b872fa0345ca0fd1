package org.beammlops.transforms.profile;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.schemas.FeatureProfile;

/**
 * Merges finished profiles of one use case (e.g. the profiles of the days of a range, or of
 * streaming windows) into the profile of all their rows, without the rows: counts, min, max and
 * counts per value add up exactly (counts per value until more than {@link DatasetProfiler#TOP_K}
 * values, then the rest go to {@code <other>} as in one pass); mean and standard deviation combine
 * exactly up to double rounding; the KLL and HLL sketches merge, so quantiles, histograms and
 * distinct counts are within the sketches' bounds of a one-pass profile.
 */
public final class ProfileMerge {
  private ProfileMerge() {}

  /** The merge of {@code profiles} (at least one, all of one use case and feature list). */
  public static DatasetProfile merge(List<DatasetProfile> profiles, Instant createdAt) {
    if (profiles.isEmpty()) {
      throw new IllegalArgumentException("no profiles to merge");
    }
    DatasetProfile first = profiles.get(0);
    long rows = 0;
    Instant start = null;
    Instant end = null;
    for (DatasetProfile p : profiles) {
      if (!p.getUseCase().equals(first.getUseCase())
          || p.getFeatures().size() != first.getFeatures().size()) {
        throw new IllegalArgumentException(
            "profiles of different use cases or feature lists cannot be merged: "
                + first.getUseCase()
                + " and "
                + p.getUseCase());
      }
      rows += p.getRowCount();
      start = earliest(start, p.getWindowStart());
      end = latest(end, p.getWindowEnd());
    }
    List<FeatureProfile> features = new ArrayList<>();
    for (int i = 0; i < first.getFeatures().size(); i++) {
      List<FeatureProfile> parts = new ArrayList<>();
      for (DatasetProfile p : profiles) {
        FeatureProfile f = p.getFeatures().get(i);
        if (!f.getName().equals(first.getFeatures().get(i).getName())) {
          throw new IllegalArgumentException(
              "profiles list different features: "
                  + f.getName()
                  + " where another has "
                  + first.getFeatures().get(i).getName());
        }
        parts.add(f);
      }
      features.add(mergeFeature(parts));
    }
    return DatasetProfile.newBuilder()
        .setUseCase(first.getUseCase())
        .setCreatedAt(createdAt.truncatedTo(ChronoUnit.MILLIS))
        .setWindowStart(start)
        .setWindowEnd(end)
        .setRowCount(rows)
        .setFeatures(features)
        .build();
  }

  private static FeatureProfile mergeFeature(List<FeatureProfile> parts) {
    FeatureProfile first = parts.get(0);
    boolean numeric = DatasetProfiler.NUMERIC.equals(first.getKind());
    long count = 0;
    long missing = 0;
    Double min = null;
    Double max = null;
    long momentsCount = 0;
    double mean = 0;
    double m2 = 0; // sum of squared deviations from the mean (Chan et al.'s parallel update)
    KllDoublesSketch sketch =
        numeric ? KllDoublesSketch.newHeapInstance(DatasetProfiler.SKETCH_K) : null;
    Union distinct = new Union(FeatureAccumulator.HLL_LG_K);
    boolean distinctKnown = true;
    Map<String, Long> values = new HashMap<>();
    boolean valuesKnown = true;
    for (FeatureProfile f : parts) {
      count += f.getCount();
      missing += f.getMissing();
      if (f.getMean() != null && f.getCount() > 0) {
        min = min == null ? f.getMin() : Math.min(min, f.getMin());
        max = max == null ? f.getMax() : Math.max(max, f.getMax());
        long n = f.getCount();
        double delta = f.getMean() - mean;
        long total = momentsCount + n;
        mean += delta * n / total;
        m2 += f.getStddev() * f.getStddev() * n + delta * delta * momentsCount * n / total;
        momentsCount = total;
      }
      if (numeric && f.getCount() > 0) {
        if (f.getSketch() == null) {
          throw new IllegalArgumentException(
              "feature '"
                  + f.getName()
                  + "': a profile without its sketch (format 1) cannot be"
                  + " merged");
        }
        sketch.merge(KllDoublesSketch.heapify(Memory.wrap(DatasetProfiles.bytes(f.getSketch()))));
      }
      if (f.getDistinctSketch() != null) {
        distinct.update(
            HllSketch.heapify(Memory.wrap(DatasetProfiles.bytes(f.getDistinctSketch()))));
      } else if (f.getCount() > 0) {
        distinctKnown = false;
      }
      // a numeric feature with values but no counts had too many values to count
      if (numeric && f.getCount() > 0 && f.getFrequencies().isEmpty()) {
        valuesKnown = false;
      }
      f.getFrequencies().forEach((k, v) -> values.merge(k, v, Long::sum));
    }
    FeatureProfile.Builder b =
        FeatureProfile.newBuilder()
            .setName(first.getName())
            .setKind(first.getKind())
            .setCount(count)
            .setMissing(missing)
            .setMin(min)
            .setMax(max)
            .setMean(momentsCount > 0 ? mean : null)
            .setStddev(momentsCount > 0 ? Math.sqrt(Math.max(m2, 0) / momentsCount) : null)
            .setQuantiles(new LinkedHashMap<>())
            .setHistogram(new ArrayList<>())
            .setFrequencies(new LinkedHashMap<>())
            .setDistinct(null)
            .setDistinctSketch(null)
            .setSketch(null);
    if (sketch != null) {
      DatasetProfiler.summarize(b, sketch);
    }
    if (!numeric) {
      b.setFrequencies(DatasetProfiler.topK(values));
    } else if (valuesKnown && values.size() <= FeatureAccumulator.MAX_NUMERIC_VALUES) {
      Map<String, Long> sorted = new LinkedHashMap<>();
      values.entrySet().stream()
          .sorted(
              Map.Entry.comparingByKey(java.util.Comparator.comparingDouble(Double::parseDouble)))
          .forEach(e -> sorted.put(e.getKey(), e.getValue()));
      b.setFrequencies(sorted);
    }
    if (distinctKnown) {
      DatasetProfiler.summarize(b, distinct.getResult(TgtHllType.HLL_4));
    }
    return b.build();
  }

  private static Instant earliest(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
  }

  private static Instant latest(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
  }

  /**
   * The merge as a {@code CombineFn}, for merging profiles in a pipeline (the days of a range,
   * windows into a longer one); the accumulator is the list of profiles so far, merged into one at
   * every step so that it stays one profile in size. There is no profile of nothing, so a global
   * combine takes {@code withoutDefaults()}.
   */
  public static final class MergeFn
      extends Combine.CombineFn<DatasetProfile, List<DatasetProfile>, DatasetProfile> {
    private final Instant createdAt;

    public MergeFn(Instant createdAt) {
      this.createdAt = createdAt;
    }

    @Override
    public List<DatasetProfile> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public List<DatasetProfile> addInput(List<DatasetProfile> accumulator, DatasetProfile input) {
      accumulator.add(input);
      return asOne(accumulator);
    }

    @Override
    public List<DatasetProfile> mergeAccumulators(Iterable<List<DatasetProfile>> accumulators) {
      List<DatasetProfile> all = new ArrayList<>();
      accumulators.forEach(all::addAll);
      return asOne(all);
    }

    private List<DatasetProfile> asOne(List<DatasetProfile> profiles) {
      List<DatasetProfile> one = new ArrayList<>();
      if (!profiles.isEmpty()) {
        one.add(profiles.size() == 1 ? profiles.get(0) : merge(profiles, createdAt));
      }
      return one;
    }

    @Override
    public DatasetProfile extractOutput(List<DatasetProfile> accumulator) {
      if (accumulator.isEmpty()) {
        throw new IllegalStateException("no profile to merge");
      }
      return accumulator.get(0);
    }

    @Override
    public Coder<List<DatasetProfile>> getAccumulatorCoder(
        CoderRegistry registry, Coder<DatasetProfile> inputCoder) {
      return org.apache.beam.sdk.coders.ListCoder.of(DatasetProfiles.coder());
    }
  }
}
