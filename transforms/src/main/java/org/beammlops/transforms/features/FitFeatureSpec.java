package org.beammlops.transforms.features;

import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;

/**
 * Fits the {@link FeatureSpec} of a use case on lake records: one {@code Combine.globally}, so the
 * statistics are computed in parallel and merged (exactly, so the result does not depend on how the
 * runner splits the input). The output holds a single spec; an empty input fails the pipeline with
 * a message naming the use case.
 *
 * <pre>{@code
 * PCollection<FeatureSpec> spec =
 *     train.apply("FitFeatureSpec", FitFeatureSpec.of(useCase).withMinCount("origin", 5));
 * }</pre>
 */
public final class FitFeatureSpec
    extends PTransform<PCollection<GenericRecord>, PCollection<FeatureSpec>> {

  private final UseCase useCase;
  private final Task task;
  private final FitOptions options;

  private FitFeatureSpec(UseCase useCase, Task task, FitOptions options) {
    this.useCase = useCase;
    this.task = task;
    this.options = options;
  }

  /**
   * Fits every field of role feature and every derived feature with {@link FitOptions#defaults()}.
   */
  public static FitFeatureSpec of(UseCase useCase) {
    return new FitFeatureSpec(useCase, null, FitOptions.defaults());
  }

  /** Fits the features {@code task} learns from. */
  public static FitFeatureSpec of(UseCase useCase, Task task) {
    return new FitFeatureSpec(useCase, task, FitOptions.defaults());
  }

  public FitFeatureSpec withOptions(FitOptions options) {
    return new FitFeatureSpec(useCase, task, options);
  }

  /** The minimum count of one categorical feature's vocabulary values. */
  public FitFeatureSpec withMinCount(String feature, int minCount) {
    return new FitFeatureSpec(useCase, task, options.withMinCount(feature, minCount));
  }

  /** The minimum count of the vocabulary values of features without their own. */
  public FitFeatureSpec withDefaultMinCount(int minCount) {
    return new FitFeatureSpec(useCase, task, options.withDefaultMinCount(minCount));
  }

  /**
   * Accumulates with {@link Combine#globally} and finishes in a separate step: {@code
   * Combine.globally} computes its default output ({@code extractOutput} of an empty accumulator)
   * while the pipeline is built, so the empty-input error has to come after the combine, at run
   * time.
   */
  @Override
  public PCollection<FeatureSpec> expand(PCollection<GenericRecord> records) {
    FeatureFitter fitter =
        task == null
            ? FeatureFitter.of(useCase, options)
            : FeatureFitter.of(useCase, task, options);
    return records
        .apply("Accumulate", Combine.globally(new StatsFn(fitter)))
        .setCoder(SerializableCoder.of(FeatureStats.class))
        .apply("Finish", MapElements.into(TypeDescriptor.of(FeatureSpec.class)).via(fitter::finish))
        .setCoder(FeatureSpec.coder());
  }

  /** What both combines share: rows are folded into {@link FeatureStats} by the fitter. */
  private abstract static class StatsCombine<OutputT>
      extends Combine.CombineFn<GenericRecord, FeatureStats, OutputT> {
    final FeatureFitter fitter;

    StatsCombine(FeatureFitter fitter) {
      this.fitter = fitter;
    }

    @Override
    public FeatureStats createAccumulator() {
      return fitter.createStats();
    }

    @Override
    public FeatureStats addInput(FeatureStats accumulator, GenericRecord input) {
      return fitter.add(accumulator, input);
    }

    @Override
    public FeatureStats mergeAccumulators(Iterable<FeatureStats> accumulators) {
      return fitter.merge(accumulators);
    }

    @Override
    public Coder<FeatureStats> getAccumulatorCoder(
        CoderRegistry registry, Coder<GenericRecord> inputCoder) {
      return SerializableCoder.of(FeatureStats.class);
    }
  }

  /** The combine step of the transform: the statistics of all rows, empty if there are none. */
  private static final class StatsFn extends StatsCombine<FeatureStats> {
    StatsFn(FeatureFitter fitter) {
      super(fitter);
    }

    @Override
    public FeatureStats extractOutput(FeatureStats accumulator) {
      return accumulator;
    }

    @Override
    public Coder<FeatureStats> getDefaultOutputCoder(
        CoderRegistry registry, Coder<GenericRecord> inputCoder) {
      return SerializableCoder.of(FeatureStats.class);
    }
  }

  /**
   * The whole fit as one {@code CombineFn} (records to spec), for keyed or windowed combines and
   * tests; {@code extractOutput} fails on an empty accumulator. Not usable in {@code
   * Combine.globally} with default output (the default would be computed, and fail, at
   * construction); {@link FitFeatureSpec} itself uses it in two steps.
   */
  public static final class FitFn extends StatsCombine<FeatureSpec> {
    public FitFn(FeatureFitter fitter) {
      super(fitter);
    }

    /** Fails on an empty input: there is nothing to fit on. */
    @Override
    public FeatureSpec extractOutput(FeatureStats accumulator) {
      return fitter.finish(accumulator);
    }

    @Override
    public Coder<FeatureSpec> getDefaultOutputCoder(
        CoderRegistry registry, Coder<GenericRecord> inputCoder) {
      return FeatureSpec.coder();
    }
  }
}
