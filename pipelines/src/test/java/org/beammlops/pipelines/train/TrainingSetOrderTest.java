package org.beammlops.pipelines.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.beammlops.pipelines.testing.FlightsTestData;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.features.FeatureSpec;
import org.beammlops.transforms.features.FitOptions;
import org.beammlops.transforms.parse.RecordParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same rows exported as other files, in another order (as another run's bundles write them),
 * load as the same matrix in the same order with the same folds: a learner that visits rows in
 * order (SGD) fits the same model from the same data. Before this, two trainings of the same lake
 * differed by up to 0.07 in a base learner's holdout log loss.
 */
class TrainingSetOrderTest {
  private static final UseCase FLIGHTS = UseCases.loadOrDefault("flights");
  private static final Task DELAY15 = FLIGHTS.task("delay15");

  @TempDir Path dir;

  @Test
  void theSameRowsInOtherFilesLoadInTheSameOrder() throws Exception {
    RecordParser parser = new RecordParser(FLIGHTS);
    List<String> header = List.of(("id," + FlightsTestData.CSV_HEADER).split(","));
    List<GenericRecord> rows = new ArrayList<>();
    int i = 0;
    for (FlightsTestData.Flight f : FlightsTestData.firstRows(600)) {
      rows.add(parser.fromCsv(header, FlightsTestData.utf8("f-" + i + "," + f.csv()), "t", ++i));
    }
    List<GenericRecord> shuffled = new ArrayList<>(rows);
    Collections.shuffle(shuffled, new Random(7));
    write(dir.resolve("a/date=2001-01-01/part-0.parquet"), rows);
    write(dir.resolve("b/date=2001-01-01/part-0.parquet"), shuffled.subList(0, 250));
    write(dir.resolve("b/date=2001-01-02/part-1.parquet"), shuffled.subList(250, 600));
    FeatureSpec spec = FeatureSpec.fit(FLIGHTS, FitOptions.defaults(), rows);

    TrainingSet a = TrainingSet.load(dir + "/a/date=*/*.parquet", spec, DELAY15, "id", 3, 42);
    TrainingSet b = TrainingSet.load(dir + "/b/date=*/*.parquet", spec, DELAY15, "id", 3, 42);
    assertEquals(a.rows.rows(), b.rows.rows());
    assertArrayEquals(a.folds, b.folds);
    assertArrayEquals(a.rows.targets(), b.rows.targets());
    for (int r = 0; r < a.rows.rows(); r++) {
      assertArrayEquals(a.rows.dense(r), b.rows.dense(r), "row " + r);
    }
    // and the order is not simply the file order of either
    assertNotEquals(
        java.util.Arrays.toString(java.util.Arrays.copyOf(a.rows.targets(), 50)),
        java.util.Arrays.toString(
            rows.stream()
                .limit(50)
                .mapToDouble(
                    r ->
                        TrainingSet.target(r, DELAY15) == null
                            ? -1
                            : TrainingSet.target(r, DELAY15))
                .toArray()));
  }

  private static void write(Path file, List<GenericRecord> rows) throws Exception {
    Files.createDirectories(file.getParent());
    try (ParquetWriter<GenericRecord> writer =
        AvroParquetWriter.<GenericRecord>builder(
                HadoopOutputFile.fromPath(
                    new org.apache.hadoop.fs.Path(file.toString()), new Configuration()))
            .withSchema(rows.get(0).getSchema())
            .build()) {
      for (GenericRecord row : rows) {
        writer.write(row);
      }
    }
  }
}
