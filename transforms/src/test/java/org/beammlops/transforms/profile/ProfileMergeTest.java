package org.beammlops.transforms.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.transforms.FlightRecords;
import org.beammlops.transforms.FlightsSampleRows;
import org.junit.jupiter.api.Test;

/**
 * Profiling a range in one pass equals merging the profiles of its days (exactly for counts, within
 * the sketches' bounds for quantiles and distinct counts), in plain Java; {@code ProfileMergeIT}
 * does the same on DirectRunner and FlinkRunner.
 */
class ProfileMergeTest {
  private static final Instant CREATED = Instant.parse("2026-12-01T00:00:00Z");

  /** January of the committed flights sample, by day of the month. */
  static Map<Integer, List<GenericRecord>> januaryByDay() {
    Map<Integer, List<GenericRecord>> days = new TreeMap<>();
    FlightsSampleRows.forEach(
        r -> {
          var t = FlightsSampleRows.departure(r);
          if (t.getMonthValue() == 1) {
            days.computeIfAbsent(t.getDayOfMonth(), k -> new ArrayList<>()).add(r);
          }
        });
    return days;
  }

  @Test
  void theMergeOfTheDaysEqualsTheMonthInOnePass() {
    Map<Integer, List<GenericRecord>> days = januaryByDay();
    List<GenericRecord> month = new ArrayList<>();
    List<DatasetProfile> daily = new ArrayList<>();
    for (List<GenericRecord> day : days.values()) {
      month.addAll(day);
      daily.add(DatasetProfiles.of(FlightRecords.FLIGHTS, day, CREATED));
    }
    assertEquals(31, daily.size());
    DatasetProfile onePass = DatasetProfiles.of(FlightRecords.FLIGHTS, month, CREATED);
    DatasetProfile merged = ProfileMerge.merge(daily, CREATED);
    ProfileMergeAssertions.assertMergedEqualsOnePass(onePass, merged);
    // the comparison notices a missing day
    AssertionError missingDay =
        assertThrows(
            AssertionError.class,
            () ->
                ProfileMergeAssertions.assertMergedEqualsOnePass(
                    onePass, ProfileMerge.merge(daily.subList(1, daily.size()), CREATED)));
    assertTrue(missingDay.getMessage().startsWith("rowCount"), missingDay.getMessage());
    // and the merge survives the JSON it is stored as
    assertEquals(merged, DatasetProfiles.fromJson(DatasetProfiles.toJson(merged)));
  }

  @Test
  void profilesOfDifferentUseCasesOrFormatsDoNotMerge() {
    List<GenericRecord> day = januaryByDay().get(1);
    DatasetProfile p = DatasetProfiles.of(FlightRecords.FLIGHTS, day, CREATED);
    DatasetProfile other = DatasetProfile.newBuilder(p).setUseCase("loans").build();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ProfileMerge.merge(List.of(p, other), CREATED));
    assertTrue(e.getMessage().contains("flights and loans"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ProfileMerge.merge(List.of(), CREATED));
  }
}
