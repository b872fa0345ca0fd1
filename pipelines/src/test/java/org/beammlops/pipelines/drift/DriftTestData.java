package org.beammlops.pipelines.drift;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.beammlops.pipelines.testing.FlightsTestData;

/** Flights as the drift tests feed them: JSON lines, and June as the replay's drift changes it. */
final class DriftTestData {
  private DriftTestData() {}

  /** {@code flights} as a JSON-lines file at {@code file}. */
  static Path jsonLines(Path file, List<FlightsTestData.Flight> flights) throws Exception {
    List<byte[]> lines = new ArrayList<>();
    for (FlightsTestData.Flight f : flights) {
      lines.add(FlightsTestData.utf8(f.json()));
    }
    return FlightsTestData.writeLines(file, lines);
  }

  /** As the replay's --drift would change every other flight: distance x1.5, airports mixed. */
  static List<FlightsTestData.Flight> drifted(List<FlightsTestData.Flight> flights) {
    List<FlightsTestData.Flight> out = new ArrayList<>();
    for (int i = 0; i < flights.size(); i++) {
      FlightsTestData.Flight f = flights.get(i);
      boolean change = i % 2 == 0;
      out.add(
          new FlightsTestData.Flight(
              f.date(),
              f.delay(),
              change ? Math.round(f.distance() * 1.5) : f.distance(),
              change ? "ZZZ" : f.origin(),
              change ? "YYY" : f.destination()));
    }
    return out;
  }
}
