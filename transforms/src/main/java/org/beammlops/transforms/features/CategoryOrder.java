package org.beammlops.transforms.features;

import java.math.BigDecimal;
import java.util.Comparator;

/**
 * The total order of category values that reads naturally for codes that are numbers ("2" before
 * "10"): the feature spec's vocabulary and the data profiles both list categories in it.
 */
public final class CategoryOrder {
  /** Numbers by value; text after all numbers, by text; ties by text, so the order is total. */
  public static final Comparator<String> NUMBERS_THEN_TEXT = CategoryOrder::compare;

  private CategoryOrder() {}

  private static int compare(String a, String b) {
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
