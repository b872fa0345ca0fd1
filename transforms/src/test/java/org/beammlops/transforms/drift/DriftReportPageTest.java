package org.beammlops.transforms.drift;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.schemas.DriftReport;
import org.beammlops.transforms.FlightRecords;
import org.beammlops.transforms.profile.DatasetProfiles;
import org.junit.Test;

/**
 * The HTML report of January against a June whose distances were drifted: self-contained, the
 * verdict on top, drifted rows first, a chart per feature, and a size that does not grow with the
 * rows. It is written to {@code target/drift-report-sample.html} to be looked at.
 */
public class DriftReportPageTest {
  private static final Instant CREATED = Instant.parse("2026-12-01T00:00:00Z");

  @Test
  public void theReportIsOneSelfContainedPageWithTheVerdictOnTopAndAChartPerFeature()
      throws Exception {
    DatasetProfile january =
        DatasetProfiles.of(FlightRecords.FLIGHTS, FlightsByMonth.month(1), CREATED);
    List<GenericRecord> drifted =
        FlightsByMonth.drifted(FlightsByMonth.month(6), 0.6, "distance", "scale", "1.5");
    drifted = FlightsByMonth.drifted(drifted, 0.5, "origin", "mix", "ZZZ");
    drifted = FlightsByMonth.drifted(drifted, 0.5, "destination", "mix", "YYY");
    DatasetProfile june = DatasetProfiles.of(FlightRecords.FLIGHTS, drifted, CREATED);
    DriftReport report =
        DatasetDrift.compare(
            FlightRecords.FLIGHTS,
            january,
            june,
            new DatasetDrift.Sides(
                "lake events 2001-01", "lake events 2001-06, drifted", null, null));
    assertEquals("DRIFT", report.getVerdict());
    String html = DriftReportPage.render(report, january, june);
    Path out = Path.of("target", "drift-report-sample.html");
    Files.writeString(out, html);

    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertTrue(html.contains("data-verdict=\"DRIFT\""));
    assertTrue(html.contains("<h1>Dataset drift</h1>"));
    assertTrue(html.contains("3 of 5 tested features drifted (60.0%)"));
    // no network: nothing loaded from elsewhere
    assertFalse(html.contains("http://") || html.contains("https://") || html.contains(" src="));
    // one chart per feature that has values, drifted rows first
    assertEquals(report.getFeatures().size(), count(html, "<svg class=\"dist\""));
    int distance = html.indexOf("data-feature=\"distance\"");
    int hour = html.indexOf("data-feature=\"hour_of_day\"");
    assertTrue(distance > 0 && hour > distance);
    // drawn from profiles: a report of one month is about as large as one of one day
    DatasetProfile oneDay =
        DatasetProfiles.of(FlightRecords.FLIGHTS, FlightsByMonth.month(6).subList(0, 500), CREATED);
    String small =
        DriftReportPage.render(
            DatasetDrift.compare(
                FlightRecords.FLIGHTS,
                january,
                oneDay,
                new DatasetDrift.Sides("a", "b", null, null)),
            january,
            oneDay);
    assertTrue(html.length() + " vs " + small.length(), html.length() < 2 * small.length());
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int at = s.indexOf(part); at >= 0; at = s.indexOf(part, at + 1)) {
      n++;
    }
    return n;
  }
}
