package org.beammlops.pipelines.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generated data for the test use cases under {@code src/test/resources/usecases} (loaded through
 * {@code MLOPS_USECASE_PATH}, here its system property): deterministic for a seed, with labels that
 * depend on the features so that a model has something to learn.
 */
public final class UseCaseData {
  /** The directory of the test use cases, for {@code mlops.usecase.path}. */
  public static final Path USECASES = Path.of("src/test/resources/usecases").toAbsolutePath();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] GRADES = {"A", "B", "C", "D", "E"};
  private static final String[] MACHINES = {"press", "lathe", "pump"};

  private UseCaseData() {}

  /** Runs {@code body} with the test use cases on the search path, as MLOPS_USECASE_PATH does. */
  public static <T> T withTestUseCases(Body<T> body) throws Exception {
    String previous = System.getProperty("mlops.usecase.path");
    System.setProperty("mlops.usecase.path", USECASES.toString());
    try {
      return body.run();
    } finally {
      if (previous == null) {
        System.clearProperty("mlops.usecase.path");
      } else {
        System.setProperty("mlops.usecase.path", previous);
      }
    }
  }

  /** Code run with the test use cases on the search path. */
  public interface Body<T> {
    T run() throws Exception;
  }

  /**
   * {@code n} loans as CSV with the source column names ({@code Loan ID}, {@code Amount $}, ...),
   * header first. About 2% are {@code Charged Off}, more often for low grades, long terms and large
   * amounts; only those have recoveries (a field that leaks the label).
   */
  public static List<String> loansCsv(int n, long seed) {
    return loansCsv(n, seed, 700);
  }

  /** As {@link #loansCsv(int, long)}, one loan a day over {@code days} days in turn. */
  public static List<String> loansCsv(int n, long seed, int days) {
    Random random = new Random(seed);
    List<String> lines = new ArrayList<>();
    lines.add("Loan ID,Opened On,Amount $,Grade (A-E),Term (months),Status,Recoveries $");
    LocalDate start = LocalDate.of(2019, 1, 1);
    for (int i = 0; i < n; i++) {
      int grade = random.nextInt(5);
      int term = new int[] {12, 36, 60}[random.nextInt(3)];
      double amount = Math.round(Math.exp(8 + 1.2 * random.nextDouble()) * 100) / 100.0;
      double logit = -11 + 2.2 * grade + 0.03 * (term - 36) + 0.8 * Math.log(amount / 8000);
      boolean chargedOff = random.nextDouble() < 1 / (1 + Math.exp(-logit));
      String status =
          chargedOff ? "Charged Off" : random.nextDouble() < 0.6 ? "Current" : "Fully Paid";
      String recoveries =
          chargedOff ? Double.toString(Math.round(amount * random.nextDouble() * 10) / 100.0) : "";
      lines.add(
          String.join(
              ",",
              "L-" + i,
              start.plusDays(i % days) + " " + String.format("%02d:%02d", i % 24, i % 60),
              Double.toString(amount),
              GRADES[grade],
              Integer.toString(term),
              status,
              recoveries));
    }
    return lines;
  }

  /**
   * {@code n} sensor readings as one pretty-printed JSON array, without any timestamp. A reading
   * fails ({@code overheat} or {@code bearing}) more often when hot or shaking; about 15% do.
   */
  public static String sensorsJsonArray(int n, long seed) {
    Random random = new Random(seed);
    ArrayNode array = JSON.createArrayNode();
    for (int i = 0; i < n; i++) {
      int machine = random.nextInt(3);
      double temperature = round(55 + 8 * machine + 9 * random.nextGaussian());
      double vibration = round(-Math.log(1 - random.nextDouble()) * (0.6 + 0.3 * machine));
      ObjectNode reading = array.addObject();
      reading.put("reading_id", "s-" + i);
      reading.put("machine_type", MACHINES[machine]);
      reading.put("temperature", temperature);
      reading.put("vibration", vibration);
      if (random.nextDouble() < 0.9) {
        reading.put("pressure", round(5 + random.nextGaussian()));
      } else {
        reading.putNull("pressure");
      }
      double hot = 1 / (1 + Math.exp(-(temperature - 78) / 3));
      double shaking = 1 / (1 + Math.exp(-(vibration - 2.2) * 3));
      double u = random.nextDouble();
      reading.put(
          "failure_mode",
          u < hot * 0.8 ? "overheat" : u < hot * 0.8 + shaking * 0.7 ? "bearing" : "none");
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(array);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The classes of the vehicles use case, in its config's order. */
  public static final List<String> VEHICLE_CLASSES =
      List.of("car", "motorbike", "van", "truck", "bus");

  private static final double[] VEHICLE_SHARES = {0.55, 0.10, 0.15, 0.12, 0.08};
  private static final double[] VEHICLE_LENGTHS = {4.4, 2.1, 5.6, 11.5, 12.0};
  private static final double[] VEHICLE_WEIGHTS = {1.4, 0.25, 2.6, 18, 13};
  private static final String[] LANES = {"left", "middle", "right"};

  /**
   * {@code n} vehicles as JSON lines, one every 10 minutes from 2024-03-01, their class drawn by
   * its share (car 55% down to bus 8%) and their measures drawn around the class's own, with enough
   * noise that neighbouring classes (car and van, truck and bus) overlap. One in ten has no weight.
   */
  public static List<String> vehiclesJsonLines(int n, long seed) {
    Random random = new Random(seed);
    List<String> lines = new ArrayList<>();
    java.time.LocalDateTime start = java.time.LocalDateTime.of(2024, 3, 1, 0, 0);
    for (int i = 0; i < n; i++) {
      int c = 0;
      double u = random.nextDouble();
      for (double share = VEHICLE_SHARES[0]; u >= share && c < VEHICLE_SHARES.length - 1; ) {
        share += VEHICLE_SHARES[++c];
      }
      boolean heavy = c >= 3;
      double length = Math.max(1, VEHICLE_LENGTHS[c] * (1 + 0.18 * random.nextGaussian()));
      long axles = heavy ? 2 + random.nextInt(c == 3 ? 4 : 2) : c == 2 && u < 0.1 ? 3 : 2;
      double weight = VEHICLE_WEIGHTS[c] * Math.exp(0.3 * random.nextGaussian());
      String lane = LANES[heavy ? 1 + random.nextInt(2) : random.nextInt(3)];
      double speed = Math.max(5, (heavy ? 82 : c == 1 ? 105 : 98) + 14 * random.nextGaussian());
      ObjectNode v = JSON.createObjectNode();
      v.put("vehicle_id", "v-" + i);
      v.put("seen_at", start.plusMinutes(10L * i).toString().replace('T', ' '));
      v.put("length_m", round(length));
      v.put("axles", axles);
      if (random.nextDouble() < 0.9) {
        v.put("weight_t", round(weight));
      }
      v.put("lane", lane);
      v.put("speed_kmh", round(speed));
      v.put("vehicle_class", VEHICLE_CLASSES.get(c));
      lines.add(v.toString());
    }
    return lines;
  }

  /** Writes text to a file, creating its directory. */
  public static Path write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  private static double round(double x) {
    return Math.round(x * 100) / 100.0;
  }
}
