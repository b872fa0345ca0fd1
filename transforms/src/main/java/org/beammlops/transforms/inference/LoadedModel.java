package org.beammlops.transforms.inference;

import java.util.List;

/**
 * A model in memory, ready to score batches. One instance is shared by every thread of a worker
 * JVM; implementations must be safe to call from several threads.
 */
public interface LoadedModel<I, O> extends AutoCloseable {

  ModelRef ref();

  /**
   * One output per input, in order. A failure of one input must not fail the batch: see {@link
   * Scored}.
   */
  List<Scored<O>> predict(List<I> batch);

  @Override
  void close();

  /** The result of one input: its inference, or why it could not be scored. */
  record Scored<O>(O inference, String error) {
    public static <O> Scored<O> ok(O inference) {
      return new Scored<>(inference, null);
    }

    public static <O> Scored<O> failed(String error) {
      return new Scored<>(null, error);
    }

    public boolean isOk() {
      return error == null;
    }
  }
}
