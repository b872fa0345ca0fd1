package org.beammlops.transforms.inference;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beammlops.schemas.ModelEvent;
import org.beammlops.schemas.ModelEventType;
import org.joda.time.Duration;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * RunInference with the simplest real model there is, {@code y = w * x}, whose weight is its
 * location ({@code times:3}): batching, one model per JVM, dead letters for what fails, following a
 * side input of registry answers, and refusing a version that cannot load.
 */
@RunWith(JUnit4.class)
public class RunInferenceTest {
  private static final ModelRef V1 = new ModelRef("scale", "1", "times:3");
  private static final ModelRef V2 = new ModelRef("scale", "2", "times:5");
  private static final ModelRef BROKEN = new ModelRef("scale", "3", "garbage");

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  @Test
  public void everyExampleIsScoredInBatchesOfAtMostTheMaximumWithOneModelPerJvm() {
    ScaleHandler handler = new ScaleHandler("batches");
    PCollection<Double> xs = pipeline.apply(Create.of(doubles(0, 1000)));
    RunInference.Result<Double, Double> out =
        xs.apply(RunInference.of(handler, V1, DoubleCoder.of()).withBatchSize(1, 64));

    PAssert.that(inferences(out.predictions())).containsInAnyOrder(scaled(0, 1000, 3, "1"));
    PAssert.that(out.failures()).empty();
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();

    assertEquals("loaded once for every thread and DoFn instance", 1, handler.loads());
    DistributionResult batches = distribution(result, "batchSize");
    assertEquals(1000, batches.getSum());
    assertTrue("batches of at most 64: " + batches, batches.getMax() <= 64);
    assertTrue(distribution(result, "modelLoadMillis").getCount() >= 1);
  }

  @Test
  public void batchesWaitAcrossBundlesForTheMinimumOrTheMaximumWait() {
    ScaleHandler handler = new ScaleHandler("grouped");
    RunInference.Result<Double, Double> out =
        pipeline
            .apply(Create.of(doubles(0, 100)))
            .apply(
                RunInference.of(handler, V1, DoubleCoder.of())
                    .withBatchSize(10, 10)
                    .withMaxWait(Duration.millis(200)));
    PAssert.that(inferences(out.predictions())).containsInAnyOrder(scaled(0, 100, 3, "1"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void whatFailsGoesToFailuresWithItsReasonAndTheRestIsScored() {
    ScaleHandler handler = new ScaleHandler("failures");
    List<Double> xs = new ArrayList<>(doubles(0, 20));
    xs.add(Double.NaN); // this example alone fails
    xs.add(-1.0); // the model throws on a batch that holds it
    RunInference.Result<Double, Double> out =
        pipeline
            .apply(Create.of(xs))
            .apply(RunInference.of(handler, V1, DoubleCoder.of()).withBatchSize(1, 1));

    PAssert.that(inferences(out.predictions())).containsInAnyOrder(scaled(0, 20, 3, "1"));
    PAssert.that(out.failures())
        .satisfies(
            failures -> {
              Map<Double, String> byExample = new java.util.HashMap<>();
              failures.forEach(f -> byExample.put(f.getKey(), f.getValue()));
              assertEquals(byExample.toString(), 2, byExample.size());
              assertEquals("not a number", byExample.get(Double.NaN));
              assertTrue(byExample.get(-1.0), byExample.get(-1.0).contains("negative input"));
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void aNewVersionFromTheSideInputIsSwappedIn() {
    ScaleHandler handler = new ScaleHandler("swap");
    RunInference.Result<Double, Double> out = scoreFollowing(handler, V2);

    PAssert.that(inferences(out.predictions())).containsInAnyOrder(scaled(0, 50, 5, "2"));
    PAssert.that(out.modelEvents())
        .satisfies(
            events -> {
              List<String> seen = describe(events);
              assertTrue(seen.toString(), seen.contains("LOADED 1"));
              assertTrue(seen.toString(), seen.contains("SWAPPED 2"));
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void aVersionThatCannotLoadIsRefusedAndTheServingOneStays() {
    ScaleHandler handler = new ScaleHandler("refuse");
    RunInference.Result<Double, Double> out = scoreFollowing(handler, BROKEN);

    PAssert.that(inferences(out.predictions())).containsInAnyOrder(scaled(0, 50, 3, "1"));
    PAssert.that(out.failures()).empty();
    PAssert.that(out.modelEvents())
        .satisfies(
            events -> {
              ModelEvent refused = null;
              for (ModelEvent e : events) {
                if (e.getType() == ModelEventType.REFUSED) {
                  refused = e;
                }
              }
              assertTrue(describe(events).toString(), refused != null);
              assertEquals("3", refused.getModelVersion().toString());
              String reason = refused.getReason().toString();
              assertTrue(reason, reason.contains("not a scale model: garbage"));
              assertTrue(reason, reason.contains("still serving scale/v1"));
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  /** Scores 0..49 while the side input says the registry points at {@code latest}. */
  private RunInference.Result<Double, Double> scoreFollowing(
      ScaleHandler handler, ModelRef latest) {
    PCollectionView<Iterable<WatchModelRegistry.Answer>> answers =
        pipeline
            .apply(
                "Answers",
                Create.of(
                        new WatchModelRegistry.Answer(1, V1),
                        new WatchModelRegistry.Answer(2, latest))
                    .withCoder(SerializableCoder.of(WatchModelRegistry.Answer.class)))
            .apply(View.asIterable());
    return pipeline
        .apply(Create.of(doubles(0, 50)))
        .apply(
            RunInference.of(handler, V1, DoubleCoder.of())
                .withBatchSize(1, 8)
                .withModelUpdates(answers));
  }

  private static List<String> describe(Iterable<ModelEvent> events) {
    List<String> out = new ArrayList<>();
    events.forEach(e -> out.add(e.getType() + " " + e.getModelVersion()));
    return out;
  }

  private static PCollection<KV<Double, String>> inferences(
      PCollection<PredictionResult<Double, Double>> predictions) {
    return predictions.apply(
        MapElements.into(TypeDescriptors.kvs(TypeDescriptors.doubles(), TypeDescriptors.strings()))
            .via(p -> KV.of(p.inference(), p.model().version())));
  }

  private static List<Double> doubles(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> (double) i).toList();
  }

  private static List<KV<Double, String>> scaled(int from, int to, double w, String version) {
    return IntStream.range(from, to).mapToObj(i -> KV.of(w * i, version)).toList();
  }

  private static DistributionResult distribution(PipelineResult result, String name) {
    for (MetricResult<DistributionResult> d :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named("mlops", name))
                    .build())
            .getDistributions()) {
      return d.getAttempted();
    }
    throw new AssertionError("no distribution " + name);
  }

  /** {@code y = w * x}, w from the location {@code times:<w>}; counts its loads per test. */
  static final class ScaleHandler implements ModelHandler<Double, Double> {
    private static final Map<String, AtomicInteger> LOADS = new ConcurrentHashMap<>();
    private final String test;

    ScaleHandler(String test) {
      this.test = test;
    }

    int loads() {
      return LOADS.getOrDefault(test, new AtomicInteger()).get();
    }

    @Override
    public LoadedModel<Double, Double> load(ModelRef ref) {
      LOADS.computeIfAbsent(test, k -> new AtomicInteger()).incrementAndGet();
      if (!ref.location().startsWith("times:")) {
        throw new IllegalArgumentException("not a scale model: " + ref.location());
      }
      double w = Double.parseDouble(ref.location().substring("times:".length()));
      return new LoadedModel<>() {
        @Override
        public ModelRef ref() {
          return ref;
        }

        @Override
        public List<Scored<Double>> predict(List<Double> batch) {
          List<Scored<Double>> out = new ArrayList<>();
          for (double x : batch) {
            if (x < 0) {
              throw new IllegalStateException("negative input " + x);
            }
            out.add(Double.isNaN(x) ? Scored.failed("not a number") : Scored.ok(w * x));
          }
          return out;
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public String describe() {
      return "scale-" + test;
    }
  }
}
