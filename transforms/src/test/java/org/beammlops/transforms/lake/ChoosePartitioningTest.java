package org.beammlops.transforms.lake;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.parse.RecordParser;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/** A lake commit writes a bounded number of partitions whatever the spread of its dates. */
@RunWith(JUnit4.class)
public class ChoosePartitioningTest {
  private static final List<String> HEADER =
      List.of("Loan ID", "Opened On", "Amount $", "Grade (A-E)", "Term (months)", "Status");

  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void theFinestGranularityWithEnoughRowsPerPartitionIsChosen() {
    // the flights sample: 100,000 rows over 181 days stay daily
    assertEquals(UseCase.Partitioning.DAY, ChoosePartitioning.choose(100_000, 181, 6));
    // 10,000 daily rows over ten years: too few per day, and per month
    assertEquals(UseCase.Partitioning.NONE, ChoosePartitioning.choose(10_000, 3_650, 120));
    // a million rows over ten years: monthly
    assertEquals(UseCase.Partitioning.MONTH, ChoosePartitioning.choose(1_000_000, 3_650, 120));
    // more days than a commit may write, however many rows
    assertEquals(UseCase.Partitioning.MONTH, ChoosePartitioning.choose(10_000_000, 500, 17));
    // no dates at all
    assertEquals(UseCase.Partitioning.NONE, ChoosePartitioning.choose(10, 0, 0));
  }

  @Test
  public void dailyDataOverYearsIsWrittenAsOnePartition() throws Exception {
    assertEquals(List.of("date=all"), write(loans(3_000, 1_000)));
  }

  @Test
  public void manyRowsOnFewDaysArePartitionedByDay() throws Exception {
    assertEquals(
        List.of("date=2019-01-01", "date=2019-01-02", "date=2019-01-03"), write(loans(1_800, 3)));
  }

  private List<String> write(List<GenericRecord> records) throws IOException {
    UseCase loans = loans();
    String dir = tmp.getRoot().toPath().resolve("events").toString();
    p.apply(Create.of(records).withCoder(AvroCoder.of(GenericRecord.class, loans.lakeSchema())))
        .apply(
            WritePartitionedParquet.choosingPartitioning(
                dir, tmp.getRoot() + "/tmp", loans.lakeSchema(), "t", loans));
    p.run().waitUntilFinish();
    try (Stream<Path> partitions = Files.list(Path.of(dir))) {
      return partitions.map(d -> d.getFileName().toString()).sorted().toList();
    }
  }

  private static UseCase loans() {
    return UseCases.loadFrom(Path.of("../pipelines/src/test/resources/usecases/loans"));
  }

  /** {@code n} loans, one a day over {@code days} days in turn. */
  private static List<GenericRecord> loans(int n, int days) throws Exception {
    RecordParser parser = new RecordParser(loans());
    List<GenericRecord> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String line =
          "L-" + i + "," + LocalDate.of(2019, 1, 1).plusDays(i % days) + ",1000,B,36,Current";
      out.add(parser.fromCsv(HEADER, line.getBytes(UTF_8), "loans.csv", i + 2));
    }
    return out;
  }
}
