package org.beammlops.transforms.lake;

import java.io.Serializable;
import java.util.HashSet;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beammlops.schemas.usecase.UseCase;

/**
 * Chooses how a batch of records is partitioned from the spread of its dates, for a use case whose
 * config leaves it open: the finest of {@code day}, {@code month} and one partition ({@code none})
 * that keeps at most {@value #MAX_PARTITIONS} partitions and at least {@value #MIN_ROWS} rows per
 * partition on average. So a commit writes a bounded number of files whatever the spread: 100,000
 * flights over 181 days stay daily, 10,000 daily rows over ten years become one partition. Each
 * commit chooses for itself; readers take any mix of partition kinds.
 */
public final class ChoosePartitioning
    extends PTransform<PCollection<GenericRecord>, PCollectionView<UseCase.Partitioning>> {
  /** The most partitions one commit writes. */
  public static final int MAX_PARTITIONS = 400;

  /** The fewest rows a partition holds on average: below it, files cost more than their rows. */
  public static final int MIN_ROWS = 500;

  private final UseCase useCase;

  private ChoosePartitioning(UseCase useCase) {
    this.useCase = useCase;
  }

  public static ChoosePartitioning of(UseCase useCase) {
    return new ChoosePartitioning(useCase);
  }

  /** The choice for {@code rows} rows spread over {@code days} days in {@code months} months. */
  public static UseCase.Partitioning choose(long rows, long days, long months) {
    if (days > 0 && days <= MAX_PARTITIONS && rows >= (long) MIN_ROWS * days) {
      return UseCase.Partitioning.DAY;
    }
    if (months > 0 && months <= MAX_PARTITIONS && rows >= (long) MIN_ROWS * months) {
      return UseCase.Partitioning.MONTH;
    }
    return UseCase.Partitioning.NONE;
  }

  @Override
  public PCollectionView<UseCase.Partitioning> expand(PCollection<GenericRecord> records) {
    EventDates dates = EventDates.of(useCase, UseCase.Partitioning.DAY);
    return records
        .apply(
            "EventDay",
            MapElements.into(TypeDescriptors.strings())
                .via(
                    r -> {
                      String day = dates.day(r);
                      return day == null ? "" : day;
                    }))
        .apply("Spread", Combine.globally(new SpreadFn()).withoutDefaults())
        .setCoder(SerializableCoder.of(Spread.class))
        .apply(
            "Choose",
            MapElements.into(TypeDescriptor.of(UseCase.Partitioning.class))
                .via(s -> choose(s.rows, s.days.size(), s.months.size())))
        .apply(
            "AsView",
            View.<UseCase.Partitioning>asSingleton().withDefaultValue(UseCase.Partitioning.NONE));
  }

  /** Rows, and the distinct days and months among them (at most a few thousand of each). */
  static final class Spread implements Serializable {
    long rows;
    final Set<String> days = new HashSet<>();
    final Set<String> months = new HashSet<>();
  }

  private static final class SpreadFn extends Combine.CombineFn<String, Spread, Spread> {
    @Override
    public Spread createAccumulator() {
      return new Spread();
    }

    @Override
    public Spread addInput(Spread s, String day) {
      s.rows++;
      if (!day.isEmpty()) {
        s.days.add(day);
        s.months.add(day.substring(0, 7));
      }
      return s;
    }

    @Override
    public Spread mergeAccumulators(Iterable<Spread> all) {
      Spread merged = new Spread();
      for (Spread s : all) {
        merged.rows += s.rows;
        merged.days.addAll(s.days);
        merged.months.addAll(s.months);
      }
      return merged;
    }

    @Override
    public Spread extractOutput(Spread s) {
      return s;
    }
  }
}
