package org.beammlops.transforms.features;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * A fitted numeric feature: vectorized as {@code (x - mean) / std} (a {@code std} of 0 counts as 1,
 * so a constant feature becomes 0) plus a {@code <name>_missing} indicator; a missing value takes
 * {@code fill} (the mean, so 0 after standardizing) and sets the indicator to 1.
 *
 * @param name the field read from the record
 * @param count rows with a value
 * @param missing rows without one
 * @param mean mean of the present values (0 when there are none)
 * @param std population standard deviation of the present values
 * @param fill the value a missing one is replaced with, before standardizing
 */
@JsonPropertyOrder({"name", "count", "missing", "mean", "std", "fill"})
public record NumericFeature(
    String name, long count, long missing, double mean, double std, double fill)
    implements Feature {

  /** Suffix of the missing-indicator column. */
  public static final String MISSING_SUFFIX = "_missing";

  public NumericFeature {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("numeric feature needs a name");
    }
    if (!Double.isFinite(mean) || !Double.isFinite(std) || std < 0 || !Double.isFinite(fill)) {
      throw new IllegalArgumentException(
          "numeric feature '" + name + "': mean, std and fill must be finite, std >= 0");
    }
  }

  /** The divisor used when standardizing: {@code std}, or 1 when {@code std} is 0. */
  public double scale() {
    return std > 0 ? std : 1.0;
  }

  /** The standardized value of {@code x}, or of the fill when {@code x} is null. */
  public double standardize(Double x) {
    return ((x == null ? fill : x) - mean) / scale();
  }

  @Override
  public List<String> columnNames() {
    return List.of(name, name + MISSING_SUFFIX);
  }
}
