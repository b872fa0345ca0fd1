package org.beammlops.transforms.profile;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.beammlops.transforms.features.CategoryOrder;

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
            .thenComparing(Map.Entry.comparingByKey(CategoryOrder.NUMBERS_THEN_TEXT));
    return frequencies.entrySet().stream().sorted(order).toList();
  }
}
