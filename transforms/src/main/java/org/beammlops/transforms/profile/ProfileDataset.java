package org.beammlops.transforms.profile;

import java.time.Instant;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;

/**
 * Profiles lake records of a use case into one {@link DatasetProfile}: the reference profile the
 * training pipeline stores beside the model, and the live profiles the drift pipeline compares with
 * it. One {@code Combine.globally}, so rows are profiled in parallel and merged; what is profiled
 * and how is described in {@link DatasetProfiler}. An empty input gives a profile of zero rows.
 *
 * <pre>{@code
 * PCollection<DatasetProfile> profile =
 *     train.apply("ProfileTrainingData", ProfileDataset.of(useCase));
 * }</pre>
 */
public final class ProfileDataset
    extends PTransform<PCollection<GenericRecord>, PCollection<DatasetProfile>> {

  private final DatasetProfiler profiler;
  private final Instant createdAt;

  private ProfileDataset(DatasetProfiler profiler, Instant createdAt) {
    this.profiler = profiler;
    this.createdAt = createdAt;
  }

  /** Profiles the features and labels of {@code useCase}, stamped with the time it finishes. */
  public static ProfileDataset of(UseCase useCase) {
    return new ProfileDataset(DatasetProfiler.of(useCase), null);
  }

  /** Profiles {@code task}'s predictions too ({@link DatasetProfiler#withPredictions}). */
  public ProfileDataset withPredictions(Task task) {
    return new ProfileDataset(profiler.withPredictions(task), createdAt);
  }

  /** Stamps the profile with {@code createdAt} instead, for reproducible output. */
  public ProfileDataset withCreatedAt(Instant createdAt) {
    return new ProfileDataset(profiler, createdAt);
  }

  @Override
  public PCollection<DatasetProfile> expand(PCollection<GenericRecord> records) {
    return records
        .apply("Profile", Combine.globally(new ProfileFn(profiler, createdAt)))
        .setCoder(DatasetProfiles.coder());
  }

  /**
   * The profile as one {@code CombineFn}, also for keyed or windowed combines (e.g. live profiles
   * per window in the drift pipeline, which then sets the window bounds).
   */
  public static final class ProfileFn
      extends Combine.CombineFn<GenericRecord, ProfileAccumulator, DatasetProfile> {
    private final DatasetProfiler profiler;
    private final Instant createdAt;

    /** {@code createdAt} null stamps each output with the time it is extracted. */
    public ProfileFn(DatasetProfiler profiler, Instant createdAt) {
      this.profiler = profiler;
      this.createdAt = createdAt;
    }

    @Override
    public ProfileAccumulator createAccumulator() {
      return profiler.createAccumulator();
    }

    @Override
    public ProfileAccumulator addInput(ProfileAccumulator accumulator, GenericRecord input) {
      return profiler.add(accumulator, input);
    }

    @Override
    public ProfileAccumulator mergeAccumulators(Iterable<ProfileAccumulator> accumulators) {
      return profiler.merge(accumulators);
    }

    @Override
    public DatasetProfile extractOutput(ProfileAccumulator accumulator) {
      return profiler.finish(accumulator, createdAt == null ? Instant.now() : createdAt);
    }

    @Override
    public Coder<ProfileAccumulator> getAccumulatorCoder(
        CoderRegistry registry, Coder<GenericRecord> inputCoder) {
      return ProfileAccumulator.coder();
    }

    @Override
    public Coder<DatasetProfile> getDefaultOutputCoder(
        CoderRegistry registry, Coder<GenericRecord> inputCoder) {
      return DatasetProfiles.coder();
    }
  }
}
