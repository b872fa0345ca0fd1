package org.beammlops.transforms.inference;

import java.io.Serializable;

/**
 * Loads a model version and describes it, as Beam Python's {@code ModelHandler} does: {@link
 * RunInference} owns batching, sharing, refresh and metrics; the handler only knows its framework.
 * A handler must refuse (throw from {@link #load}) a version it cannot serve, e.g. one whose
 * signature does not fit its inputs: the version being served then keeps serving.
 */
public interface ModelHandler<I, O> extends Serializable {

  /** Loads {@code ref}; throws with a reason a person can act on when it cannot be served. */
  LoadedModel<I, O> load(ModelRef ref);

  /** What this handler serves, for logs and the shared-model key. */
  String describe();
}
