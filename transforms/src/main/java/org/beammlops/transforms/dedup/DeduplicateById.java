package org.beammlops.transforms.dedup;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.joda.time.Duration;

/**
 * De-duplication by record id. In batch the last record wins (latest source, then position) and ids
 * already in the lake are skipped, which makes re-running an ingest a no-op. In streaming, keyed
 * state remembers each id for a TTL and the first one wins.
 *
 * <p>Both spread the ids over a fixed number of buckets rather than keying by id: few large groups,
 * which runners (the DirectRunner above all) handle far faster than one group per id.
 */
public final class DeduplicateById {
  /** Buckets for batch de-duplication; enough for about 25 million rows. */
  public static final int DEFAULT_BUCKETS = 256;

  private DeduplicateById() {}

  /** Batch: last one wins among the input, and any id in {@code existingIds} is dropped. */
  public static PTransform<PCollection<GenericRecord>, PCollection<GenericRecord>> againstLake(
      UseCase useCase, PCollection<String> existingIds) {
    return againstLake(useCase, existingIds, DEFAULT_BUCKETS);
  }

  /**
   * As {@link #againstLake(UseCase, PCollection)} with ids grouped into {@code buckets} groups: few
   * large groups instead of one per id, which runners (the DirectRunner above all) handle far
   * faster. One bucket's ids must fit in a worker's memory: use about one bucket per 100,000 rows.
   */
  public static PTransform<PCollection<GenericRecord>, PCollection<GenericRecord>> againstLake(
      UseCase useCase, PCollection<String> existingIds, int buckets) {
    return new AgainstLake(useCase, existingIds, buckets);
  }

  /**
   * Streaming: drops an id seen within {@code ttl} (processing time) before, with ids spread over
   * {@link #DEFAULT_BUCKETS} keys of state.
   */
  public static PTransform<PCollection<GenericRecord>, PCollection<GenericRecord>> withTtl(
      UseCase useCase, Duration ttl) {
    return withTtl(useCase, ttl, DEFAULT_BUCKETS);
  }

  /**
   * As {@link #withTtl(UseCase, Duration)} with ids spread over {@code buckets} keys of state.
   * Keying by bucket rather than by id keeps one timer per bucket instead of one per id, and lets
   * runners hand the records on in batches (the DirectRunner otherwise makes a bundle of every
   * record after a per-id stateful step, and slows down quadratically with a backlog). Use at least
   * a few buckets per worker slot: a bucket is processed by one slot.
   */
  public static PTransform<PCollection<GenericRecord>, PCollection<GenericRecord>> withTtl(
      UseCase useCase, Duration ttl, int buckets) {
    return new WithTtl(useCase, ttl, buckets);
  }

  private static String idField(UseCase useCase) {
    return useCase
        .idField()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "use case '" + useCase.name() + "' has no field with role: id"))
        .name();
  }

  private static final class AgainstLake
      extends PTransform<PCollection<GenericRecord>, PCollection<GenericRecord>> {
    private final UseCase useCase;
    private final PCollection<String> existingIds;
    private final int buckets;

    AgainstLake(UseCase useCase, PCollection<String> existingIds, int buckets) {
      this.useCase = useCase;
      this.existingIds = existingIds;
      this.buckets = buckets;
    }

    @Override
    public PCollection<GenericRecord> expand(PCollection<GenericRecord> records) {
      String idField = idField(useCase);
      int bucketCount = buckets;
      AvroCoder<GenericRecord> recordCoder =
          AvroCoder.of(GenericRecord.class, useCase.lakeSchema());
      KvCoder<Integer, KV<String, GenericRecord>> entryCoder =
          KvCoder.of(
              VarIntCoder.of(), KvCoder.of(StringUtf8Coder.of(), NullableCoder.of(recordCoder)));
      TypeDescriptor<KV<Integer, KV<String, GenericRecord>>> entryType =
          TypeDescriptors.kvs(
              TypeDescriptors.integers(),
              TypeDescriptors.kvs(
                  TypeDescriptors.strings(), TypeDescriptor.of(GenericRecord.class)));
      PCollection<KV<Integer, KV<String, GenericRecord>>> incoming =
          records
              .apply(
                  "KeyByIdBucket",
                  MapElements.into(entryType)
                      .via(
                          r -> {
                            String id = r.get(idField).toString();
                            return KV.of(bucket(id, bucketCount), KV.of(id, r));
                          }))
              .setCoder(entryCoder);
      // An id already in the lake is an entry without a record.
      PCollection<KV<Integer, KV<String, GenericRecord>>> stored =
          existingIds
              .apply(
                  "KeyLakeIdsByBucket",
                  MapElements.into(entryType)
                      .via(id -> KV.of(bucket(id, bucketCount), KV.of(id, (GenericRecord) null))))
              .setCoder(entryCoder);
      return PCollectionList.of(incoming)
          .and(stored)
          .apply("WithLakeIds", Flatten.pCollections())
          .apply("GroupByBucket", GroupByKey.create())
          .apply("KeepLastUnseen", ParDo.of(new KeepLastUnseen()))
          .setCoder(recordCoder);
    }
  }

  /** The bucket of an id: a stable hash, so an id and its lake copy meet in one group. */
  static int bucket(String id, int buckets) {
    return Math.floorMod(id.hashCode(), buckets);
  }

  /**
   * Per bucket, in one pass over the group (runners such as Flink iterate a group only once): the
   * latest record of each id unless the lake holds the id; the rest count as duplicates. Holds one
   * bucket's ids in memory, which the bucket count bounds.
   */
  private static final class KeepLastUnseen
      extends DoFn<KV<Integer, Iterable<KV<String, GenericRecord>>>, GenericRecord> {

    @ProcessElement
    public void process(
        @Element KV<Integer, Iterable<KV<String, GenericRecord>>> group,
        OutputReceiver<GenericRecord> out) {
      Map<String, GenericRecord> latest = new HashMap<>();
      Set<String> inLake = new HashSet<>();
      long incoming = 0;
      for (KV<String, GenericRecord> entry : group.getValue()) {
        GenericRecord record = entry.getValue();
        if (record == null) {
          inLake.add(entry.getKey());
          continue;
        }
        incoming++;
        GenericRecord previous = latest.get(entry.getKey());
        if (previous == null || isLater(record, previous)) {
          latest.put(entry.getKey(), record);
        }
      }
      latest.keySet().removeAll(inLake);
      PipelineCounters.counter(PipelineCounters.DUPLICATES).inc(incoming - latest.size());
      latest.values().forEach(out::output);
    }

    private static boolean isLater(GenericRecord a, GenericRecord b) {
      int bySource =
          a.get(UseCase.SOURCE_FIELD).toString().compareTo(b.get(UseCase.SOURCE_FIELD).toString());
      if (bySource != 0) {
        return bySource > 0;
      }
      return (Long) a.get(UseCase.POSITION_FIELD) > (Long) b.get(UseCase.POSITION_FIELD);
    }
  }

  private static final class WithTtl
      extends PTransform<PCollection<GenericRecord>, PCollection<GenericRecord>> {
    private final UseCase useCase;
    private final Duration ttl;
    private final int buckets;

    WithTtl(UseCase useCase, Duration ttl, int buckets) {
      if (buckets < 1) {
        throw new IllegalArgumentException("de-duplication buckets must be at least 1: " + buckets);
      }
      this.useCase = useCase;
      this.ttl = ttl;
      this.buckets = buckets;
    }

    @Override
    public PCollection<GenericRecord> expand(PCollection<GenericRecord> records) {
      String idField = idField(useCase);
      int bucketCount = buckets;
      AvroCoder<GenericRecord> recordCoder =
          AvroCoder.of(GenericRecord.class, useCase.lakeSchema());
      return records
          .apply(
              "KeyByIdBucket",
              MapElements.into(
                      TypeDescriptors.kvs(
                          TypeDescriptors.integers(),
                          TypeDescriptors.kvs(
                              TypeDescriptors.strings(), TypeDescriptor.of(GenericRecord.class))))
                  .via(
                      r -> {
                        String id = r.get(idField).toString();
                        return KV.of(bucket(id, bucketCount), KV.of(id, r));
                      }))
          .setCoder(KvCoder.of(VarIntCoder.of(), KvCoder.of(StringUtf8Coder.of(), recordCoder)))
          .apply("FirstPerIdWithinTtl", ParDo.of(new FirstWithinTtl(ttl)))
          .setCoder(recordCoder);
    }
  }

  /**
   * Per bucket, the ids seen in two generations of state; a processing-time timer every {@code ttl}
   * drops the older generation and starts a new one. An id is thus remembered for at least {@code
   * ttl} and at most twice that, with one timer per bucket and no scan of the ids.
   */
  private static final class FirstWithinTtl
      extends DoFn<KV<Integer, KV<String, GenericRecord>>, GenericRecord> {
    private final Duration ttl;

    @StateId("generationA")
    private final StateSpec<MapState<String, Boolean>> generationASpec =
        StateSpecs.map(StringUtf8Coder.of(), BooleanCoder.of());

    @StateId("generationB")
    private final StateSpec<MapState<String, Boolean>> generationBSpec =
        StateSpecs.map(StringUtf8Coder.of(), BooleanCoder.of());

    /** True while generation B takes new ids; unset while no rotation is scheduled. */
    @StateId("newIsB")
    private final StateSpec<ValueState<Boolean>> newIsBSpec = StateSpecs.value(BooleanCoder.of());

    @TimerId("rotate")
    private final TimerSpec rotateSpec = TimerSpecs.timer(TimeDomain.PROCESSING_TIME);

    FirstWithinTtl(Duration ttl) {
      this.ttl = ttl;
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, KV<String, GenericRecord>> element,
        @StateId("generationA") MapState<String, Boolean> generationA,
        @StateId("generationB") MapState<String, Boolean> generationB,
        @StateId("newIsB") ValueState<Boolean> newIsB,
        @TimerId("rotate") Timer rotate,
        OutputReceiver<GenericRecord> out) {
      String id = element.getValue().getKey();
      if (generationA.get(id).read() != null || generationB.get(id).read() != null) {
        PipelineCounters.counter(PipelineCounters.DUPLICATES).inc();
        return;
      }
      Boolean bIsNew = newIsB.read();
      if (bIsNew == null) {
        bIsNew = false;
        newIsB.write(false);
        rotate.offset(ttl).setRelative();
      }
      (bIsNew ? generationB : generationA).put(id, true);
      out.output(element.getValue().getValue());
    }

    @OnTimer("rotate")
    public void onRotate(
        @StateId("generationA") MapState<String, Boolean> generationA,
        @StateId("generationB") MapState<String, Boolean> generationB,
        @StateId("newIsB") ValueState<Boolean> newIsB,
        @TimerId("rotate") Timer rotate) {
      boolean bWasNew = Boolean.TRUE.equals(newIsB.read());
      MapState<String, Boolean> expiring = bWasNew ? generationA : generationB;
      MapState<String, Boolean> aging = bWasNew ? generationB : generationA;
      expiring.clear();
      if (aging.isEmpty().read()) {
        newIsB.clear();
        return;
      }
      // The cleared generation takes new ids from now on; the other expires at the next rotation.
      newIsB.write(!bWasNew);
      rotate.offset(ttl).setRelative();
    }
  }
}
