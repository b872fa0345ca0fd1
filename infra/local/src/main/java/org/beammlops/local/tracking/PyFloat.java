package org.beammlops.local.tracking;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Metric values as MLflow's file store writes them: Python's {@code repr(float)} ({@code 0.5},
 * {@code 1e-05}, {@code 1e+16}, {@code nan}, {@code inf}, {@code -inf}), and a reader that accepts
 * those and Java's spellings.
 */
final class PyFloat {
  private PyFloat() {}

  /** Python's {@code repr(x)}: the shortest digits that read back to the same double. */
  static String repr(double x) {
    if (Double.isNaN(x)) {
      return "nan";
    }
    if (Double.isInfinite(x)) {
      return x > 0 ? "inf" : "-inf";
    }
    if (x == 0) {
      return (1 / x < 0) ? "-0.0" : "0.0";
    }
    // The shortest digits that read back as x: a (normal) double whose shortest form has at most
    // 15 digits comes out of a correct 15-digit rounding padded with zeros; otherwise 16 or 17.
    // Subnormals carry fewer digits, so for them every precision is tried.
    BigDecimal exact = new BigDecimal(x);
    BigDecimal rounded = exact;
    int from = Math.abs(x) < Double.MIN_NORMAL ? 1 : 15;
    for (int precision = from; precision <= 17; precision++) {
      rounded = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
      if (rounded.doubleValue() == x) {
        break;
      }
    }
    rounded = rounded.stripTrailingZeros();
    String digits = rounded.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - rounded.scale();
    String sign = x < 0 ? "-" : "";
    if (exponent < -4 || exponent >= 16) {
      String mantissa =
          digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return sign
          + mantissa
          + "e"
          + (exponent < 0 ? "-" : "+")
          + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
    }
    BigDecimal value = new BigDecimal(digits).movePointLeft(digits.length() - 1 - exponent);
    String plain = value.toPlainString();
    if (!plain.contains(".")) {
      plain = plain + ".0";
    }
    return sign + plain;
  }

  /** Reads Python's or Java's spelling of a double. */
  static double parse(String text) {
    String t = text.trim();
    switch (t.toLowerCase(Locale.ROOT)) {
      case "nan", "+nan", "-nan":
        return Double.NaN;
      case "inf", "+inf", "infinity", "+infinity":
        return Double.POSITIVE_INFINITY;
      case "-inf", "-infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        return Double.parseDouble(t);
    }
  }
}
