package org.beammlops.transforms.metrics;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/** Passes elements through unchanged, counting them in a {@link PipelineCounters} counter. */
public final class CountElements<T> extends PTransform<PCollection<T>, PCollection<T>> {
  private final String counterName;

  private CountElements(String counterName) {
    this.counterName = counterName;
  }

  public static <T> CountElements<T> as(String counterName) {
    return new CountElements<>(counterName);
  }

  @Override
  public PCollection<T> expand(PCollection<T> input) {
    return input
        .apply("Count_" + counterName, ParDo.of(new CountFn<T>(counterName)))
        .setCoder(input.getCoder());
  }

  private static final class CountFn<T> extends DoFn<T, T> {
    private final String counterName;
    private transient Counter counter;

    CountFn(String counterName) {
      this.counterName = counterName;
    }

    @Setup
    public void setup() {
      counter = PipelineCounters.counter(counterName);
    }

    @ProcessElement
    public void process(@Element T element, OutputReceiver<T> out) {
      counter.inc();
      out.output(element);
    }
  }
}
