package org.beammlops.transforms.profile;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.transforms.FlightRecords;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * On DirectRunner and FlinkRunner {@code [local]}: January profiled in one pass ({@link
 * ProfileDataset}) and as the merge ({@link ProfileMerge.MergeFn}) of a profile per day (a keyed
 * combine) both equal the plain-Java one-pass profile, exactly for counts and within the sketches'
 * bounds for quantiles and distinct counts.
 */
class ProfileMergeIT {
  private static final Instant CREATED = Instant.parse("2026-12-01T00:00:00Z");

  static Stream<String> runners() {
    return Stream.of(
        "--runner=DirectRunner", "--runner=TestFlinkRunner --flinkMaster=[local] --parallelism=2");
  }

  @ParameterizedTest
  @MethodSource("runners")
  void theDaysMergedOnARunnerEqualTheMonthInOnePass(String runner) {
    Map<Integer, List<GenericRecord>> days = ProfileMergeTest.januaryByDay();
    List<GenericRecord> month = new ArrayList<>();
    days.values().forEach(month::addAll);
    DatasetProfile expected = DatasetProfiles.of(FlightRecords.FLIGHTS, month, CREATED);

    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(runner.split(" ")).create());
    PCollection<GenericRecord> rows =
        p.apply("January", Create.of(month).withCoder(FlightRecords.coder()));
    PCollection<DatasetProfile> onePass =
        rows.apply("OnePass", ProfileDataset.of(FlightRecords.FLIGHTS).withCreatedAt(CREATED));
    DatasetProfiler profiler = DatasetProfiler.of(FlightRecords.FLIGHTS);
    PCollection<DatasetProfile> merged =
        rows.apply(
                "ByDay",
                WithKeys.of(ProfileMergeIT::dayOfMonth).withKeyType(TypeDescriptors.integers()))
            .setCoder(KvCoder.of(VarIntCoder.of(), FlightRecords.coder()))
            .apply(
                "ProfileEachDay", Combine.perKey(new ProfileDataset.ProfileFn(profiler, CREATED)))
            .apply(Values.create())
            .apply(
                "MergeDays", Combine.globally(new ProfileMerge.MergeFn(CREATED)).withoutDefaults())
            .setCoder(DatasetProfiles.coder());
    PAssert.thatSingleton("one pass", onePass)
        .satisfies(
            actual -> {
              ProfileMergeAssertions.assertMergedEqualsOnePass(expected, actual);
              return null;
            });
    PAssert.thatSingleton("merged days", merged)
        .satisfies(
            actual -> {
              ProfileMergeAssertions.assertMergedEqualsOnePass(expected, actual);
              return null;
            });
    p.run().waitUntilFinish();
  }

  private static int dayOfMonth(GenericRecord r) {
    return org.beammlops.transforms.FlightsSampleRows.departure(r).getDayOfMonth();
  }
}
