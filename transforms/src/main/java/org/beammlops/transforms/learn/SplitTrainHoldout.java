package org.beammlops.transforms.learn;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.lake.EventDates;
import org.beammlops.transforms.metrics.PipelineCounters;

/**
 * Splits labelled records into a training part and a holdout part.
 *
 * <ul>
 *   <li>{@link #byTime}: the latest event dates are held out, about {@code fraction} of the rows —
 *       what a model meets in production is always later than what it learned from;
 *   <li>{@link #fromDate}: every event on or after a given date is held out;
 *   <li>{@link #byIdHash}: a fixed share of ids, wherever they fall in time.
 * </ul>
 *
 * Whole dates move together in a time split, so the holdout share is close to, not exactly, the
 * fraction asked for.
 */
public final class SplitTrainHoldout
    extends PTransform<PCollection<GenericRecord>, SplitTrainHoldout.Result> {
  public static final TupleTag<GenericRecord> TRAIN = new TupleTag<>() {};
  public static final TupleTag<GenericRecord> HOLDOUT = new TupleTag<>() {};

  private enum Mode {
    TIME_FRACTION,
    FROM_DATE,
    ID_HASH
  }

  private final UseCase useCase;
  private final Mode mode;
  private final double fraction;
  private final String holdoutFrom;
  private final long seed;

  private SplitTrainHoldout(
      UseCase useCase, Mode mode, double fraction, String holdoutFrom, long seed) {
    if (mode != Mode.FROM_DATE && !(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException("holdout fraction must be in (0, 1), got " + fraction);
    }
    this.useCase = useCase;
    this.mode = mode;
    this.fraction = fraction;
    this.holdoutFrom = holdoutFrom;
    this.seed = seed;
  }

  public static SplitTrainHoldout byTime(UseCase useCase, double fraction) {
    requireEventTime(useCase);
    return new SplitTrainHoldout(useCase, Mode.TIME_FRACTION, fraction, null, 0);
  }

  public static SplitTrainHoldout fromDate(UseCase useCase, LocalDate holdoutFrom) {
    requireEventTime(useCase);
    return new SplitTrainHoldout(useCase, Mode.FROM_DATE, 0, holdoutFrom.toString(), 0);
  }

  public static SplitTrainHoldout byIdHash(UseCase useCase, double fraction, long seed) {
    return new SplitTrainHoldout(useCase, Mode.ID_HASH, fraction, null, seed);
  }

  /** Fails, naming the way out, when {@code useCase} has no event time to split by. */
  public static void requireEventTime(UseCase useCase) {
    if (useCase.eventTime().isEmpty()) {
      throw new IllegalArgumentException(
          "--split=time needs an event time, and use case '"
              + useCase.name()
              + "' has no field of role event_time; split by id hash (--split=hash)");
    }
  }

  /** The event day of a record; "" (before every day, so in training) when it has none. */
  private static String dayOf(EventDates dates, GenericRecord record) {
    String day = dates.day(record);
    return day == null ? "" : day;
  }

  @Override
  public Result expand(PCollection<GenericRecord> records) {
    Coder<GenericRecord> coder = records.getCoder();
    EventDates dateOf = EventDates.of(useCase, UseCase.Partitioning.DAY);
    PCollectionView<Map<String, Long>> rowsPerDate = null;
    if (mode == Mode.TIME_FRACTION) {
      rowsPerDate =
          records
              .apply(
                  "EventDate",
                  MapElements.into(TypeDescriptors.strings()).via(r -> dayOf(dateOf, r)))
              // one combine into a map, not a count per date key: daily data over years has
              // thousands of dates, and a runner pays for every key
              .apply("RowsPerDate", Combine.globally(new RowsPerDateFn()).withoutDefaults())
              .apply("AsView", View.<Map<String, Long>>asSingleton().withDefaultValue(Map.of()));
    }
    SplitFn fn =
        new SplitFn(
            mode,
            fraction,
            holdoutFrom,
            seed,
            dateOf,
            useCase.idField().map(f -> f.name()).orElse(null),
            rowsPerDate);
    ParDo.MultiOutput<GenericRecord, GenericRecord> split =
        ParDo.of(fn).withOutputTags(TRAIN, TupleTagList.of(HOLDOUT));
    if (rowsPerDate != null) {
      split = split.withSideInputs(rowsPerDate);
    }
    PCollectionTuple parts = records.apply("Split", split);
    parts.get(TRAIN).setCoder(coder);
    parts.get(HOLDOUT).setCoder(coder);
    return new Result(parts);
  }

  /** The first held-out date: the latest dates whose rows add up to about {@code fraction}. */
  static String boundary(Map<String, Long> rowsPerDate, double fraction) {
    TreeMap<String, Long> dates = new TreeMap<>(rowsPerDate);
    if (dates.size() < 2) {
      throw new IllegalArgumentException(
          "a time split needs at least two event dates, the data has "
              + dates.keySet()
              + "; widen the date range or split by id hash");
    }
    long total = dates.values().stream().mapToLong(Long::longValue).sum();
    long held = 0;
    String first = dates.lastKey();
    for (String date : dates.descendingKeySet()) {
      if (date.equals(dates.firstKey())) {
        break;
      }
      first = date;
      held += dates.get(date);
      if (held >= fraction * total) {
        break;
      }
    }
    return first;
  }

  private static final class SplitFn extends DoFn<GenericRecord, GenericRecord> {
    private final Mode mode;
    private final double fraction;
    private final String holdoutFrom;
    private final long seed;
    private final EventDates dateOf;
    private final String idField;
    private final PCollectionView<Map<String, Long>> rowsPerDate;
    private transient String cachedBoundary;

    SplitFn(
        Mode mode,
        double fraction,
        String holdoutFrom,
        long seed,
        EventDates dateOf,
        String idField,
        PCollectionView<Map<String, Long>> rowsPerDate) {
      this.mode = mode;
      this.fraction = fraction;
      this.holdoutFrom = holdoutFrom;
      this.seed = seed;
      this.dateOf = dateOf;
      this.idField = idField;
      this.rowsPerDate = rowsPerDate;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      GenericRecord record = c.element();
      boolean holdout =
          switch (mode) {
            case ID_HASH -> Folds.unit(Folds.keyOf(record, idField), seed) < fraction;
            case FROM_DATE -> dayOf(dateOf, record).compareTo(holdoutFrom) >= 0;
            case TIME_FRACTION -> dayOf(dateOf, record).compareTo(boundary(c)) >= 0;
          };
      if (holdout) {
        PipelineCounters.counter("holdoutRows").inc();
        c.output(HOLDOUT, record);
      } else {
        PipelineCounters.counter("trainRows").inc();
        c.output(TRAIN, record);
      }
    }

    private String boundary(ProcessContext c) {
      if (cachedBoundary == null) {
        cachedBoundary = SplitTrainHoldout.boundary(c.sideInput(rowsPerDate), fraction);
      }
      return cachedBoundary;
    }
  }

  /** Rows per event date, counted in one map. */
  static final class RowsPerDateFn
      extends Combine.CombineFn<String, Map<String, Long>, Map<String, Long>> {
    @Override
    public Map<String, Long> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public Map<String, Long> addInput(Map<String, Long> counts, String date) {
      counts.merge(date, 1L, Long::sum);
      return counts;
    }

    @Override
    public Map<String, Long> mergeAccumulators(Iterable<Map<String, Long>> all) {
      Map<String, Long> merged = new HashMap<>();
      all.forEach(m -> m.forEach((k, v) -> merged.merge(k, v, Long::sum)));
      return merged;
    }

    @Override
    public Map<String, Long> extractOutput(Map<String, Long> counts) {
      return counts;
    }

    @Override
    public Coder<Map<String, Long>> getAccumulatorCoder(
        CoderRegistry registry, Coder<String> input) {
      return MapCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    }

    @Override
    public Coder<Map<String, Long>> getDefaultOutputCoder(
        CoderRegistry registry, Coder<String> input) {
      return MapCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    }
  }

  /** The two parts. */
  public static final class Result implements org.apache.beam.sdk.values.POutput {
    private final PCollectionTuple parts;

    Result(PCollectionTuple parts) {
      this.parts = parts;
    }

    public PCollection<GenericRecord> train() {
      return parts.get(TRAIN);
    }

    public PCollection<GenericRecord> holdout() {
      return parts.get(HOLDOUT);
    }

    @Override
    public org.apache.beam.sdk.Pipeline getPipeline() {
      return parts.getPipeline();
    }

    @Override
    public Map<TupleTag<?>, org.apache.beam.sdk.values.PValue> expand() {
      return parts.expand();
    }

    @Override
    public void finishSpecifyingOutput(
        String transformName,
        org.apache.beam.sdk.values.PInput input,
        PTransform<?, ?> transform) {}
  }
}
