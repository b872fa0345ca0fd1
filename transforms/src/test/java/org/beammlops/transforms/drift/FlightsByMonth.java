package org.beammlops.transforms.drift;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.transforms.FlightsSampleRows;

/** The committed flights sample (100,000 rows, January to June 2001), by month, read once. */
final class FlightsByMonth {
  private static Map<Integer, List<GenericRecord>> months;

  private FlightsByMonth() {}

  /** The rows of {@code month} (1 = January), in the file's order. */
  static synchronized List<GenericRecord> month(int month) {
    if (months == null) {
      months = new TreeMap<>();
      FlightsSampleRows.forEach(
          r ->
              months
                  .computeIfAbsent(
                      FlightsSampleRows.departure(r).getMonthValue(), k -> new ArrayList<>())
                  .add(r));
    }
    return months.get(month);
  }

  /**
   * The replay's drift on every {@code every}-th row, as {@code ./mlops replay --drift} changes a
   * share of the records: {@code scale} multiplies a numeric field, {@code mix} replaces a
   * categorical one.
   */
  static List<GenericRecord> drifted(
      List<GenericRecord> rows, double share, String field, String kind, String amount) {
    List<GenericRecord> out = new ArrayList<>(rows.size());
    long changed = 0;
    for (int i = 0; i < rows.size(); i++) {
      GenericRecord r = rows.get(i);
      // exactly round(share * n) rows, spread evenly
      if (Math.round((i + 1) * share) > changed) {
        changed++;
        GenericData.Record copy = new GenericData.Record((GenericData.Record) r, true);
        if (kind.equals("scale")) {
          copy.put(
              field,
              Math.round(((Number) r.get(field)).doubleValue() * Double.parseDouble(amount)));
        } else {
          copy.put(field, amount);
        }
        r = copy;
      }
      out.add(r);
    }
    return out;
  }
}
