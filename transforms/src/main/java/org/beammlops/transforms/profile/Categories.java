package org.beammlops.transforms.profile;

import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** The order categories are listed in, so that profiles read and diff the same every time. */
final class Categories {
  private Categories() {}

  /**
   * Most frequent first; equal counts by value (numbers by value, before text); {@value
   * DatasetProfiler#OTHER} last.
   */
  static List<Map.Entry<String, Long>> ordered(Map<String, Long> frequencies) {
    Comparator<Map.Entry<String, Long>> order =
        Comparator.<Map.Entry<String, Long>, Boolean>comparing(
                e -> e.getKey().equals(DatasetProfiler.OTHER))
            .thenComparing(Map.Entry.<String, Long>comparingByValue().reversed())
            .thenComparing(Map.Entry.comparingByKey(Categories::compareNumbersThenText));
    return frequencies.entrySet().stream().sorted(order).toList();
  }

  /** Numbers by value; text after all numbers, by text; ties by text, so the order is total. */
  static int compareNumbersThenText(String a, String b) {
    BigDecimal x = parse(a);
    BigDecimal y = parse(b);
    if (x != null && y != null) {
      int c = x.compareTo(y);
      return c != 0 ? c : a.compareTo(b);
    }
    if (x != null) {
      return -1;
    }
    if (y != null) {
      return 1;
    }
    return a.compareTo(b);
  }

  private static BigDecimal parse(String s) {
    try {
      return new BigDecimal(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
