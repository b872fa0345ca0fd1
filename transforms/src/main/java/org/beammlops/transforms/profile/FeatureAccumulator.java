package org.beammlops.transforms.profile;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;

/**
 * What is accumulated for one profiled feature: present and missing counts; for numeric values an
 * exact sum and sum of squares (as in the feature spec fit, so means agree exactly and do not
 * depend on the order of merges) with min and max; for numeric features a KLL quantile sketch and,
 * while they have at most {@value #MAX_NUMERIC_VALUES} distinct values, an exact count per value
 * (so that a numeric feature with few values is tested like a categorical one); for categorical
 * ones an exact count per value; for every feature an HLL sketch of its distinct values.
 */
final class FeatureAccumulator {
  private static final int MOMENTS = 1;
  private static final int SKETCH = 2;
  private static final int FREQUENCIES = 4;
  private static final int DISTINCT = 8;
  private static final int VALUES = 16;

  /** The most distinct values of a numeric feature that are still counted one by one. */
  static final int MAX_NUMERIC_VALUES = 32;

  /** The HLL sketch size: relative error about 1.6% (one standard deviation), exact when small. */
  static final int HLL_LG_K = 12;

  long count;
  long missing;
  BigDecimal sum;
  BigDecimal sumOfSquares;
  double min = Double.POSITIVE_INFINITY;
  double max = Double.NEGATIVE_INFINITY;
  KllDoublesSketch sketch;
  HashMap<String, Long> frequencies;
  HllSketch distinct;

  /** Numeric: count per value while there are at most {@link #MAX_NUMERIC_VALUES}, else null. */
  HashMap<Double, Long> values;

  private FeatureAccumulator() {}

  /** An empty accumulator that keeps the parts a feature of this shape needs. */
  static FeatureAccumulator create(boolean moments, boolean sketch, boolean frequencies) {
    FeatureAccumulator a = new FeatureAccumulator();
    if (moments) {
      a.sum = BigDecimal.ZERO;
      a.sumOfSquares = BigDecimal.ZERO;
    }
    if (sketch) {
      a.sketch = KllDoublesSketch.newHeapInstance(DatasetProfiler.SKETCH_K);
      a.values = new HashMap<>();
    }
    if (frequencies) {
      a.frequencies = new HashMap<>();
    }
    a.distinct = new HllSketch(HLL_LG_K, TgtHllType.HLL_4);
    return a;
  }

  void addMissing() {
    missing++;
  }

  /** A present value: its number (null for non-numeric categories) and its category (or null). */
  void add(Double number, String category) {
    count++;
    if (sum != null && number != null) {
      double x = number;
      BigDecimal v = new BigDecimal(x);
      sum = sum.add(v);
      sumOfSquares = sumOfSquares.add(v.multiply(v));
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    if (sketch != null && number != null) {
      sketch.update(number);
      if (values != null) {
        values.merge(number + 0.0, 1L, Long::sum); // + 0.0: -0.0 and 0.0 are one value
        if (values.size() > MAX_NUMERIC_VALUES) {
          values = null;
        }
      }
    }
    if (frequencies != null && category != null) {
      frequencies.merge(category, 1L, Long::sum);
    }
    if (category != null) {
      distinct.update(category);
    } else if (number != null) {
      distinct.update(number + 0.0);
    }
  }

  /** Adds {@code other} into this one; {@code other} is left as it was. */
  void mergeFrom(FeatureAccumulator other) {
    count += other.count;
    missing += other.missing;
    if (sum != null) {
      sum = sum.add(other.sum);
      sumOfSquares = sumOfSquares.add(other.sumOfSquares);
      min = Math.min(min, other.min);
      max = Math.max(max, other.max);
    }
    if (sketch != null) {
      sketch.merge(other.sketch);
      if (values != null && other.values != null) {
        other.values.forEach((k, v) -> values.merge(k, v, Long::sum));
        if (values.size() > MAX_NUMERIC_VALUES) {
          values = null;
        }
      } else {
        values = null;
      }
    }
    if (frequencies != null) {
      other.frequencies.forEach((k, v) -> frequencies.merge(k, v, Long::sum));
    }
    Union union = new Union(HLL_LG_K);
    union.update(distinct);
    union.update(other.distinct);
    distinct = union.getResult(TgtHllType.HLL_4);
  }

  /**
   * Writes the accumulator, self-describing (a flags byte says which parts follow); categories are
   * written in sorted order, so equal accumulators encode to equal bytes.
   */
  void encode(DataOutputStream out) throws IOException {
    out.writeLong(count);
    out.writeLong(missing);
    int flags =
        (sum != null ? MOMENTS : 0)
            | (sketch != null ? SKETCH : 0)
            | (frequencies != null ? FREQUENCIES : 0)
            | DISTINCT
            | (values != null ? VALUES : 0);
    out.writeByte(flags);
    if (sum != null) {
      writeDecimal(out, sum);
      writeDecimal(out, sumOfSquares);
      out.writeDouble(min);
      out.writeDouble(max);
    }
    if (sketch != null) {
      writeBytes(out, sketch.toByteArray());
    }
    if (frequencies != null) {
      out.writeInt(frequencies.size());
      for (Map.Entry<String, Long> e : new TreeMap<>(frequencies).entrySet()) {
        writeBytes(out, e.getKey().getBytes(StandardCharsets.UTF_8));
        out.writeLong(e.getValue());
      }
    }
    writeBytes(out, distinct.toUpdatableByteArray()); // the compact form of a set is not canonical
    if (values != null) {
      out.writeInt(values.size());
      for (Map.Entry<Double, Long> e : new TreeMap<>(values).entrySet()) {
        out.writeDouble(e.getKey());
        out.writeLong(e.getValue());
      }
    }
  }

  static FeatureAccumulator decode(DataInputStream in) throws IOException {
    long count = in.readLong();
    long missing = in.readLong();
    int flags = in.readUnsignedByte();
    FeatureAccumulator a = new FeatureAccumulator();
    a.count = count;
    a.missing = missing;
    if ((flags & MOMENTS) != 0) {
      a.sum = readDecimal(in);
      a.sumOfSquares = readDecimal(in);
      a.min = in.readDouble();
      a.max = in.readDouble();
    }
    if ((flags & SKETCH) != 0) {
      a.sketch = KllDoublesSketch.heapify(Memory.wrap(readBytes(in)));
    }
    if ((flags & FREQUENCIES) != 0) {
      int n = in.readInt();
      a.frequencies = new HashMap<>();
      for (int i = 0; i < n; i++) {
        a.frequencies.put(new String(readBytes(in), StandardCharsets.UTF_8), in.readLong());
      }
    }
    if ((flags & DISTINCT) != 0) {
      a.distinct = HllSketch.heapify(Memory.wrap(readBytes(in)));
    }
    if ((flags & VALUES) != 0) {
      int n = in.readInt();
      a.values = new HashMap<>();
      for (int i = 0; i < n; i++) {
        a.values.put(in.readDouble(), in.readLong());
      }
    }
    return a;
  }

  private static void writeDecimal(DataOutputStream out, BigDecimal d) throws IOException {
    out.writeInt(d.scale());
    writeBytes(out, d.unscaledValue().toByteArray());
  }

  private static BigDecimal readDecimal(DataInputStream in) throws IOException {
    int scale = in.readInt();
    return new BigDecimal(new BigInteger(readBytes(in)), scale);
  }

  private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return bytes;
  }
}
