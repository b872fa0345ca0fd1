package org.beammlops.transforms.inference;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.commons.lang3.exception.ExceptionUtils;

/**
 * The one loaded model of a worker JVM, shared by every thread and DoFn instance that serves the
 * same handler (Beam Python's {@code shared.Shared}). A new version is loaded beside the current
 * one and swapped in atomically; batches already scoring hold a lease on the old one, which is
 * closed when the last lease is returned. A version that fails to load is refused once and not
 * retried; the current one keeps serving.
 */
final class SharedModel<I, O> {
  private static final Map<String, SharedModel<?, ?>> MODELS = new ConcurrentHashMap<>();

  private volatile Lease<I, O> current;
  private final Set<String> refused = new HashSet<>();

  @SuppressWarnings("unchecked")
  static <I, O> SharedModel<I, O> forKey(String key) {
    return (SharedModel<I, O>) MODELS.computeIfAbsent(key, k -> new SharedModel<>());
  }

  /** What happened when a version was offered. */
  enum Offer {
    UNCHANGED,
    LOADED,
    SWAPPED,
    REFUSED
  }

  /**
   * Loads {@code ref} unless it is already served or was refused. {@code onEvent} hears about a
   * load, a swap or a refusal (with the reason), once, from the thread that did it.
   */
  Offer offer(ModelRef ref, ModelHandler<I, O> handler, Consumer<Event> onEvent) {
    Lease<I, O> now = current;
    if (now != null && now.model.ref().equals(ref)) {
      return Offer.UNCHANGED;
    }
    synchronized (this) {
      now = current;
      if ((now != null && now.model.ref().equals(ref)) || refused.contains(ref.id())) {
        return Offer.UNCHANGED;
      }
      long start = System.nanoTime();
      LoadedModel<I, O> loaded;
      try {
        loaded = handler.load(ref);
      } catch (RuntimeException e) {
        refused.add(ref.id());
        onEvent.accept(
            new Event(Offer.REFUSED, ref, now == null ? null : now.model.ref(), reason(e), 0));
        if (now == null) {
          throw new IllegalStateException("cannot load " + ref.id() + ": " + reason(e), e);
        }
        return Offer.REFUSED;
      }
      double millis = (System.nanoTime() - start) / 1e6;
      current = new Lease<>(loaded);
      Offer what = now == null ? Offer.LOADED : Offer.SWAPPED;
      onEvent.accept(new Event(what, ref, now == null ? null : now.model.ref(), null, millis));
      if (now != null) {
        now.retire();
      }
      return what;
    }
  }

  boolean isLoaded() {
    return current != null;
  }

  /** The model being served, held until {@link Lease#release()}; null before any load. */
  Lease<I, O> acquire() {
    while (true) {
      Lease<I, O> lease = current;
      if (lease == null || lease.tryAcquire()) {
        return lease;
      }
    }
  }

  /** The messages of {@code e} and its causes, each said once. */
  private static String reason(Throwable e) {
    StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable t : ExceptionUtils.getThrowableList(e)) {
      if (t != e && t.getMessage() != null && !b.toString().contains(t.getMessage())) {
        b.append(": ").append(t.getMessage());
      }
    }
    return b.toString();
  }

  /** A load, swap or refusal, for metrics and model events. */
  record Event(Offer type, ModelRef ref, ModelRef previous, String reason, double loadMillis) {}

  /** A reference-counted model: closed once retired and no batch holds it. */
  static final class Lease<I, O> {
    final LoadedModel<I, O> model;
    private final AtomicInteger holders = new AtomicInteger(1); // 1 = held by SharedModel itself

    Lease(LoadedModel<I, O> model) {
      this.model = model;
    }

    boolean tryAcquire() {
      while (true) {
        int n = holders.get();
        if (n == 0) {
          return false;
        }
        if (holders.compareAndSet(n, n + 1)) {
          return true;
        }
      }
    }

    void release() {
      if (holders.decrementAndGet() == 0) {
        model.close();
      }
    }

    void retire() {
      release();
    }
  }
}
