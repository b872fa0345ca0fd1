package org.beammlops.transforms.inference;

import java.io.Serializable;

/**
 * One input and what the model said of it, with the model that said it (Beam Python's {@code
 * PredictionResult}, plus the version so a hot swap can be followed record by record).
 */
public record PredictionResult<I, O>(I example, O inference, ModelRef model, double latencyMillis)
    implements Serializable {}
