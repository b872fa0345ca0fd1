package org.beammlops.transforms.inference;

import com.google.auto.value.AutoValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Gauge;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupIntoBatches;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.ShardedKey;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beammlops.schemas.ModelEvent;
import org.beammlops.schemas.ModelEventType;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Beam Python's RunInference for Java: scores a {@link PCollection} in batches with a model that
 * one {@link ModelHandler} loads once per worker JVM, optionally following a model that changes
 * while the pipeline runs.
 *
 * <ul>
 *   <li><b>Batching</b>: within a bundle, batches of up to {@code maxBatchSize}, the rest flushed
 *       when the bundle ends (the runner's bundle time bounds the wait). With {@link #withMaxWait},
 *       elements are grouped across bundles ({@code GroupIntoBatches}): a batch is scored once it
 *       has {@code minBatchSize} elements or its oldest has waited {@code maxWait}.
 *   <li><b>Sharing</b>: one loaded model per JVM for every thread and DoFn instance.
 *   <li><b>Refresh</b>: given a side input of {@link ModelRef}s (see {@link WatchModelRegistry}), a
 *       new version is loaded beside the old and swapped in atomically; a batch finishes on the
 *       model it started with. A version that fails to load is refused; the old keeps serving.
 *   <li><b>Outputs</b>: predictions, failures (example + reason, for dead letters), model events.
 *   <li><b>Metrics</b> (namespace {@code mlops}): {@code inferences}, {@code inferenceFailures},
 *       {@code batchSize}, {@code batchLatencyMicros}, {@code modelLoadMillis}, {@code
 *       servedVersion}, {@code modelsRefused}.
 * </ul>
 */
@AutoValue
public abstract class RunInference<I, O>
    extends PTransform<PCollection<I>, RunInference.Result<I, O>> {

  abstract ModelHandler<I, O> handler();

  abstract ModelRef initial();

  abstract Coder<O> inferenceCoder();

  abstract int minBatchSize();

  abstract int maxBatchSize();

  abstract @Nullable Duration maxWait();

  abstract @Nullable PCollectionView<Iterable<WatchModelRegistry.Answer>> updates();

  abstract @Nullable WatchModelRegistry watch();

  abstract @Nullable SerializableFunction<I, I> preprocess();

  abstract @Nullable SerializableFunction<O, O> postprocess();

  abstract Builder<I, O> toBuilder();

  @AutoValue.Builder
  abstract static class Builder<I, O> {
    abstract Builder<I, O> setHandler(ModelHandler<I, O> value);

    abstract Builder<I, O> setInitial(ModelRef value);

    abstract Builder<I, O> setInferenceCoder(Coder<O> value);

    abstract Builder<I, O> setMinBatchSize(int value);

    abstract Builder<I, O> setMaxBatchSize(int value);

    abstract Builder<I, O> setMaxWait(@Nullable Duration value);

    abstract Builder<I, O> setUpdates(
        @Nullable PCollectionView<Iterable<WatchModelRegistry.Answer>> value);

    abstract Builder<I, O> setWatch(@Nullable WatchModelRegistry value);

    abstract Builder<I, O> setPreprocess(@Nullable SerializableFunction<I, I> value);

    abstract Builder<I, O> setPostprocess(@Nullable SerializableFunction<O, O> value);

    abstract RunInference<I, O> build();
  }

  /** Serves {@code initial} with {@code handler}; inferences are encoded with {@code coder}. */
  public static <I, O> RunInference<I, O> of(
      ModelHandler<I, O> handler, ModelRef initial, Coder<O> coder) {
    return new AutoValue_RunInference.Builder<I, O>()
        .setHandler(handler)
        .setInitial(initial)
        .setInferenceCoder(coder)
        .setMinBatchSize(1)
        .setMaxBatchSize(256)
        .build();
  }

  /** Batches of at most {@code max}; with {@link #withMaxWait}, of at least {@code min}. */
  public RunInference<I, O> withBatchSize(int min, int max) {
    if (min < 1 || max < min) {
      throw new IllegalArgumentException(
          "batch sizes must satisfy 1 <= min <= max, got " + min + ", " + max);
    }
    return toBuilder().setMinBatchSize(min).setMaxBatchSize(max).build();
  }

  /** Batches across bundles, waiting at most {@code wait} for {@code minBatchSize} elements. */
  public RunInference<I, O> withMaxWait(Duration wait) {
    return toBuilder().setMaxWait(wait).build();
  }

  /** Follows the model versions this side input emits (latest wins). */
  public RunInference<I, O> withModelUpdates(
      PCollectionView<Iterable<WatchModelRegistry.Answer>> view) {
    return toBuilder().setUpdates(view).build();
  }

  /** Follows the registry alias {@code watch} polls, applied beside this transform. */
  public RunInference<I, O> following(WatchModelRegistry watch) {
    return toBuilder().setWatch(watch).build();
  }

  /** A step applied to each example before it is batched (e.g. a projection). */
  public RunInference<I, O> withPreprocess(SerializableFunction<I, I> fn) {
    return toBuilder().setPreprocess(fn).build();
  }

  /** A step applied to each inference after scoring (e.g. a threshold). */
  public RunInference<I, O> withPostprocess(SerializableFunction<O, O> fn) {
    return toBuilder().setPostprocess(fn).build();
  }

  @Override
  public Result<I, O> expand(PCollection<I> input) {
    Coder<I> exampleCoder = input.getCoder();
    TupleTag<PredictionResult<I, O>> predictions = new TupleTag<>() {};
    TupleTag<KV<I, String>> failures = new TupleTag<>() {};
    TupleTag<ModelEvent> events = new TupleTag<>() {};
    PCollectionView<Iterable<WatchModelRegistry.Answer>> updates =
        watch() != null ? input.getPipeline().apply("WatchRegistry", watch()) : updates();
    Scorer<I, O> scorer =
        new Scorer<>(
            handler(),
            initial(),
            maxBatchSize(),
            preprocess(),
            postprocess(),
            predictions,
            failures,
            events);
    PCollectionTuple out;
    if (maxWait() == null) {
      ParDo.MultiOutput<I, PredictionResult<I, O>> fn =
          ParDo.of(new BundleBatchFn<>(scorer, updates))
              .withOutputTags(predictions, TupleTagList.of(failures).and(events));
      out = input.apply("ScoreInBundleBatches", updates == null ? fn : fn.withSideInputs(updates));
    } else {
      ParDo.MultiOutput<KV<ShardedKey<Integer>, Iterable<I>>, PredictionResult<I, O>> fn =
          ParDo.of(new GroupedBatchFn<>(scorer, updates))
              .withOutputTags(predictions, TupleTagList.of(failures).and(events));
      // One key, sharded by the runner (per worker thread on most runners): batches fill across
      // bundles without a hand-made random shard per element.
      out =
          input
              .apply("OneKey", WithKeys.<Integer, I>of(0).withKeyType(TypeDescriptors.integers()))
              .setCoder(KvCoder.of(VarIntCoder.of(), exampleCoder))
              .apply(
                  "GroupIntoBatches",
                  GroupIntoBatches.<Integer, I>ofSize(minBatchSize())
                      .withMaxBufferingDuration(maxWait())
                      .withShardedKey())
              .apply("ScoreGroupedBatches", updates == null ? fn : fn.withSideInputs(updates));
    }
    out.get(predictions).setCoder(PredictionResultCoder.of(exampleCoder, inferenceCoder()));
    out.get(failures).setCoder(KvCoder.of(exampleCoder, StringUtf8Coder.of()));
    out.get(events).setCoder(AvroCoder.of(ModelEvent.class));
    return new Result<>(out, predictions, failures, events);
  }

  /** Scores batches with the JVM's shared model and emits the three outputs. */
  static final class Scorer<I, O> implements java.io.Serializable {
    private static final Counter INFERENCES = Metrics.counter("mlops", "inferences");
    private static final Counter FAILURES = Metrics.counter("mlops", "inferenceFailures");
    private static final Counter REFUSED = Metrics.counter("mlops", "modelsRefused");
    private static final Distribution BATCH_SIZE = Metrics.distribution("mlops", "batchSize");
    private static final Distribution BATCH_LATENCY =
        Metrics.distribution("mlops", "batchLatencyMicros");
    private static final Distribution LOAD_MILLIS =
        Metrics.distribution("mlops", "modelLoadMillis");
    private static final Gauge SERVED = Metrics.gauge("mlops", "servedVersion");

    final ModelHandler<I, O> handler;
    final ModelRef initial;
    final int maxBatchSize;
    final SerializableFunction<I, I> preprocess;
    final SerializableFunction<O, O> postprocess;
    final TupleTag<PredictionResult<I, O>> predictions;
    final TupleTag<KV<I, String>> failures;
    final TupleTag<ModelEvent> events;

    Scorer(
        ModelHandler<I, O> handler,
        ModelRef initial,
        int maxBatchSize,
        SerializableFunction<I, I> preprocess,
        SerializableFunction<O, O> postprocess,
        TupleTag<PredictionResult<I, O>> predictions,
        TupleTag<KV<I, String>> failures,
        TupleTag<ModelEvent> events) {
      this.handler = handler;
      this.initial = initial;
      this.maxBatchSize = maxBatchSize;
      this.preprocess = preprocess;
      this.postprocess = postprocess;
      this.predictions = predictions;
      this.failures = failures;
      this.events = events;
    }

    /** One shared model per handler and served model, however many DoFn instances use it. */
    SharedModel<I, O> shared() {
      return SharedModel.forKey(handler.describe() + "|" + initial.name());
    }

    I prepare(I example) {
      return preprocess == null ? example : preprocess.apply(example);
    }

    /**
     * Offers {@code ref}, the registry's latest answer, to the shared model; with no answer, the
     * initial version is loaded if nothing is, and otherwise the loaded one is kept.
     */
    void follow(ModelRef ref, Emitter emit) {
      if (ref == null && shared().isLoaded()) {
        return; // no answer from the registry yet (or this pane): keep serving what is loaded
      }
      if (ref != null && !shared().isLoaded() && !ref.equals(initial)) {
        // Start from the version resolved at start-up, so that a newer one that cannot be
        // loaded is refused with a model to fall back on rather than stopping the pipeline.
        follow(initial, emit);
      }
      shared()
          .offer(
              ref == null ? initial : ref,
              handler,
              e -> {
                ModelEventType type =
                    switch (e.type()) {
                      case LOADED -> ModelEventType.LOADED;
                      case SWAPPED -> ModelEventType.SWAPPED;
                      default -> ModelEventType.REFUSED;
                    };
                if (e.type() == SharedModel.Offer.REFUSED) {
                  REFUSED.inc();
                } else {
                  LOAD_MILLIS.update(Math.round(e.loadMillis()));
                  try {
                    SERVED.set(Long.parseLong(e.ref().version()));
                  } catch (NumberFormatException ignored) {
                    // A local model has no numeric version.
                  }
                }
                String reason =
                    switch (e.type()) {
                      case LOADED ->
                          "loaded " + e.ref().id() + " in " + Math.round(e.loadMillis()) + " ms";
                      case SWAPPED ->
                          "swapped "
                              + e.previous().id()
                              + " for "
                              + e.ref().id()
                              + " (loaded in "
                              + Math.round(e.loadMillis())
                              + " ms)";
                      default ->
                          "refused "
                              + e.ref().id()
                              + ": "
                              + e.reason()
                              + (e.previous() == null
                                  ? ""
                                  : "; still serving " + e.previous().id());
                    };
                emit.event(
                    ModelEvent.newBuilder()
                        .setUseCase("")
                        .setModelName(e.ref().name())
                        .setModelVersion(e.ref().version())
                        .setType(type)
                        .setAt(java.time.Instant.now())
                        .setReason(reason)
                        .setAttributes(Map.of("location", e.ref().location()))
                        .build());
              });
    }

    /** Scores {@code batch} in chunks of at most {@code maxBatchSize}. */
    void score(List<Stamped<I>> batch, Emitter emit) {
      for (int from = 0; from < batch.size(); from += maxBatchSize) {
        List<Stamped<I>> chunk = batch.subList(from, Math.min(batch.size(), from + maxBatchSize));
        SharedModel.Lease<I, O> lease = shared().acquire();
        if (lease == null) {
          throw new IllegalStateException("no model loaded: " + initial.id());
        }
        try {
          List<I> examples = new ArrayList<>(chunk.size());
          chunk.forEach(s -> examples.add(s.value()));
          long start = System.nanoTime();
          List<LoadedModel.Scored<O>> scored;
          try {
            scored = lease.model.predict(examples);
          } catch (RuntimeException e) {
            // One bad batch must not stop the pipeline: its examples become failures.
            scored = new ArrayList<>();
            for (int i = 0; i < examples.size(); i++) {
              scored.add(LoadedModel.Scored.failed("batch failed: " + e));
            }
          }
          long micros = (System.nanoTime() - start) / 1000;
          BATCH_SIZE.update(chunk.size());
          BATCH_LATENCY.update(micros);
          for (int i = 0; i < chunk.size(); i++) {
            Stamped<I> s = chunk.get(i);
            LoadedModel.Scored<O> r = scored.get(i);
            if (r.isOk()) {
              INFERENCES.inc();
              O inference = postprocess == null ? r.inference() : postprocess.apply(r.inference());
              emit.prediction(
                  new PredictionResult<>(s.value(), inference, lease.model.ref(), micros / 1000.0),
                  s);
            } else {
              FAILURES.inc();
              emit.failure(KV.of(s.value(), r.error()), s);
            }
          }
        } finally {
          lease.release();
        }
      }
    }
  }

  /** An element with the timestamp and window it arrived in. */
  record Stamped<I>(I value, Instant timestamp, BoundedWindow window) {}

  /** Where a scorer's outputs go: a process or a finish-bundle context. */
  interface Emitter {
    <T> void prediction(T result, Stamped<?> origin);

    <T> void failure(T failure, Stamped<?> origin);

    void event(ModelEvent event);
  }

  private static final class BundleBatchFn<I, O> extends DoFn<I, PredictionResult<I, O>> {
    private final Scorer<I, O> scorer;
    private final PCollectionView<Iterable<WatchModelRegistry.Answer>> updates;
    private transient List<Stamped<I>> buffer;

    BundleBatchFn(
        Scorer<I, O> scorer, PCollectionView<Iterable<WatchModelRegistry.Answer>> updates) {
      this.scorer = scorer;
      this.updates = updates;
    }

    @StartBundle
    public void startBundle() {
      buffer = new ArrayList<>();
    }

    @ProcessElement
    public void process(ProcessContext c, BoundedWindow window) {
      Emitter emit = processEmitter(c, scorer);
      scorer.follow(updates == null ? null : WatchModelRegistry.latest(c.sideInput(updates)), emit);
      buffer.add(new Stamped<>(scorer.prepare(c.element()), c.timestamp(), window));
      if (buffer.size() >= scorer.maxBatchSize) {
        scorer.score(buffer, emit);
        buffer = new ArrayList<>();
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext c) {
      if (!buffer.isEmpty()) {
        scorer.score(buffer, finishEmitter(c, scorer));
        buffer = new ArrayList<>();
      }
    }
  }

  private static final class GroupedBatchFn<I, O>
      extends DoFn<KV<ShardedKey<Integer>, Iterable<I>>, PredictionResult<I, O>> {
    private final Scorer<I, O> scorer;
    private final PCollectionView<Iterable<WatchModelRegistry.Answer>> updates;

    GroupedBatchFn(
        Scorer<I, O> scorer, PCollectionView<Iterable<WatchModelRegistry.Answer>> updates) {
      this.scorer = scorer;
      this.updates = updates;
    }

    @ProcessElement
    public void process(ProcessContext c, BoundedWindow window) {
      Emitter emit = processEmitter(c, scorer);
      scorer.follow(updates == null ? null : WatchModelRegistry.latest(c.sideInput(updates)), emit);
      List<Stamped<I>> batch = new ArrayList<>();
      for (I example : c.element().getValue()) {
        batch.add(new Stamped<>(scorer.prepare(example), c.timestamp(), window));
      }
      scorer.score(batch, emit);
    }
  }

  @SuppressWarnings("unchecked")
  private static <I, O> Emitter processEmitter(
      DoFn<?, PredictionResult<I, O>>.ProcessContext c, Scorer<I, O> scorer) {
    return new Emitter() {
      @Override
      public <T> void prediction(T result, Stamped<?> origin) {
        c.output(scorer.predictions, (PredictionResult<I, O>) result);
      }

      @Override
      public <T> void failure(T failure, Stamped<?> origin) {
        c.output(scorer.failures, (KV<I, String>) failure);
      }

      @Override
      public void event(ModelEvent event) {
        c.output(scorer.events, event);
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static <I, O> Emitter finishEmitter(
      DoFn<?, PredictionResult<I, O>>.FinishBundleContext c, Scorer<I, O> scorer) {
    return new Emitter() {
      @Override
      public <T> void prediction(T result, Stamped<?> origin) {
        c.output(
            scorer.predictions,
            (PredictionResult<I, O>) result,
            origin.timestamp(),
            origin.window());
      }

      @Override
      public <T> void failure(T failure, Stamped<?> origin) {
        c.output(scorer.failures, (KV<I, String>) failure, origin.timestamp(), origin.window());
      }

      @Override
      public void event(ModelEvent event) {
        throw new IllegalStateException("model events are emitted while processing elements");
      }
    };
  }

  /** The three outputs. */
  public static final class Result<I, O> implements org.apache.beam.sdk.values.POutput {
    private final PCollectionTuple tuple;
    private final TupleTag<PredictionResult<I, O>> predictions;
    private final TupleTag<KV<I, String>> failures;
    private final TupleTag<ModelEvent> events;

    Result(
        PCollectionTuple tuple,
        TupleTag<PredictionResult<I, O>> predictions,
        TupleTag<KV<I, String>> failures,
        TupleTag<ModelEvent> events) {
      this.tuple = tuple;
      this.predictions = predictions;
      this.failures = failures;
      this.events = events;
    }

    public PCollection<PredictionResult<I, O>> predictions() {
      return tuple.get(predictions);
    }

    /** Examples that could not be scored, with the reason: for dead letters. */
    public PCollection<KV<I, String>> failures() {
      return tuple.get(failures);
    }

    /** Loads, swaps and refusals of model versions. */
    public PCollection<ModelEvent> modelEvents() {
      return tuple.get(events);
    }

    @Override
    public org.apache.beam.sdk.Pipeline getPipeline() {
      return tuple.getPipeline();
    }

    @Override
    public Map<TupleTag<?>, org.apache.beam.sdk.values.PValue> expand() {
      return tuple.expand();
    }

    @Override
    public void finishSpecifyingOutput(
        String transformName,
        org.apache.beam.sdk.values.PInput input,
        PTransform<?, ?> transform) {}
  }
}
