package org.beammlops.transforms.inference;

import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.PeriodicImpulse;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionView;
import org.beammlops.transforms.tracking.ModelUri;
import org.beammlops.transforms.tracking.RegisteredModelVersion;
import org.beammlops.transforms.tracking.RetryPolicy;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingConfig;
import org.beammlops.transforms.tracking.TrackingSettings;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A slowly-updating side input of the version a registry alias points at: every {@code interval}
 * the registry is asked where {@code models:/<name>@<alias>} is, and the latest answer is what
 * {@link RunInference} serves. A registry that does not answer is logged and asked again at the
 * next tick; the side input keeps its last value, so the loaded model keeps serving.
 */
public final class WatchModelRegistry
    extends PTransform<PBegin, PCollectionView<Iterable<WatchModelRegistry.Answer>>> {
  private static final Logger LOG = LoggerFactory.getLogger(WatchModelRegistry.class);
  private final TrackingSettings tracking;
  private final String modelUri;
  private final Duration interval;
  private final org.joda.time.Instant stopAt;

  private WatchModelRegistry(
      TrackingSettings tracking, String modelUri, Duration interval, org.joda.time.Instant stopAt) {
    this.tracking = tracking;
    this.modelUri = modelUri;
    this.interval = interval;
    this.stopAt = stopAt;
  }

  /** Asks the server {@code tracking} names where {@code modelUri} is every {@code interval}. */
  public static WatchModelRegistry of(
      TrackingSettings tracking, String modelUri, Duration interval) {
    ModelUri.parse(modelUri);
    return new WatchModelRegistry(tracking, modelUri, interval, null);
  }

  /** Stops polling at {@code instant}, so that a bounded run of the pipeline can finish. */
  public WatchModelRegistry stoppingAt(org.joda.time.Instant instant) {
    return new WatchModelRegistry(tracking, modelUri, interval, instant);
  }

  /**
   * What {@code modelUri} points at now: a {@code models:/} alias or version becomes {@code
   * models:/<name>/<version>}; anything else (a local directory) is served as it is.
   */
  public static ModelRef resolve(TrackingSettings tracking, String modelUri) {
    return resolve(tracking.builder(), modelUri);
  }

  /** As {@link #resolve(TrackingSettings, String)} with {@link TrackingSettings#of(String)}. */
  public static ModelRef resolve(String trackingUri, String modelUri) {
    return resolve(TrackingSettings.of(trackingUri), modelUri);
  }

  /**
   * One quick question per poll: no retries and short timeouts, because the next tick asks again,
   * and a poll that waits out a down server would hold a worker thread the scoring needs.
   */
  static ModelRef poll(TrackingSettings tracking, String modelUri) {
    return resolve(
        tracking
            .builder()
            .retryPolicy(RetryPolicy.NONE)
            .connectTimeout(java.time.Duration.ofSeconds(2))
            .requestTimeout(java.time.Duration.ofSeconds(10)),
        modelUri);
  }

  private static ModelRef resolve(TrackingConfig.Builder config, String modelUri) {
    if (!modelUri.startsWith("models:/")) {
      java.nio.file.Path dir = java.nio.file.Path.of(modelUri).toAbsolutePath().normalize();
      if (!java.nio.file.Files.isDirectory(dir)) {
        throw new IllegalArgumentException("model directory " + dir + " does not exist");
      }
      return new ModelRef(dir.getFileName().toString(), "local", dir.toString());
    }
    ModelUri uri = ModelUri.parse(modelUri);
    try (TrackingClient tracking = TrackingClient.create(config.build())) {
      RegisteredModelVersion v;
      if (uri instanceof ModelUri.RegisteredAlias a) {
        v =
            tracking
                .getVersionByAlias(a.name(), a.alias())
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            modelUri
                                + " does not exist: model '"
                                + a.name()
                                + "' has no alias '"
                                + a.alias()
                                + "'"));
      } else if (uri instanceof ModelUri.RegisteredVersion rv) {
        v = tracking.getModelVersion(rv.name(), rv.version());
      } else {
        throw new IllegalArgumentException(modelUri + " is not a registered model URI");
      }
      return new ModelRef(
          v.name(), Long.toString(v.version()), "models:/" + v.name() + "/" + v.version());
    }
  }

  /**
   * The answers as a side input. Runners differ in what a triggered global-window side input holds
   * (the DirectRunner: the latest pane; Flink: every pane so far), so readers take the latest
   * answer with {@link #latest}.
   */
  @Override
  public PCollectionView<Iterable<Answer>> expand(PBegin input) {
    return input
        .apply(
            "Tick",
            stopAt == null
                ? PeriodicImpulse.create().withInterval(interval)
                : PeriodicImpulse.create().stopAt(stopAt).withInterval(interval))
        .apply("AskRegistry", ParDo.of(new Poll(tracking, modelUri)))
        .setCoder(SerializableCoder.of(Answer.class))
        .apply(
            "EveryAnswer",
            Window.<Answer>into(new GlobalWindows())
                .triggering(Repeatedly.forever(AfterProcessingTime.pastFirstElementInPane()))
                .discardingFiredPanes())
        .apply("AsSideInput", View.asIterable());
  }

  /** The most recently asked answer, or null when there is none yet. */
  public static ModelRef latest(Iterable<Answer> answers) {
    Answer best = null;
    for (Answer a : answers) {
      if (best == null || a.askedAtMillis() >= best.askedAtMillis()) {
        best = a;
      }
    }
    return best == null ? null : best.ref();
  }

  /** One answer of the registry and when it was asked: the later answer wins. */
  public record Answer(long askedAtMillis, ModelRef ref) implements java.io.Serializable {}

  private static final class Poll extends DoFn<org.joda.time.Instant, Answer> {
    private final TrackingSettings tracking;
    private final String modelUri;

    Poll(TrackingSettings tracking, String modelUri) {
      this.tracking = tracking;
      this.modelUri = modelUri;
    }

    @ProcessElement
    public void process(OutputReceiver<Answer> out) {
      try {
        long asked = System.currentTimeMillis();
        out.output(new Answer(asked, poll(tracking, modelUri)));
      } catch (RuntimeException e) {
        LOG.warn("cannot ask the registry where {} is (will retry): {}", modelUri, e.getMessage());
      }
    }
  }
}
