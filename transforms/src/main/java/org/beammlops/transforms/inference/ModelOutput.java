package org.beammlops.transforms.inference;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.VarIntCoder;

/**
 * What a model says of one input: its outputs (the value of a regression; the positive class's
 * probability of a binary classifier; one probability per class of a multi-class one) and, for a
 * classifier, the index of the class it predicts. The model decides the class, at the decision
 * threshold it was trained with, so that every consumer serves the same decision.
 *
 * @param values the model's outputs
 * @param predictedClass the index of the predicted class in the task's output classes; -1 for a
 *     regression
 */
public record ModelOutput(double[] values, int predictedClass) implements Serializable {

  public ModelOutput {
    values = values.clone();
  }

  /** A regression's value. */
  public static ModelOutput value(double value) {
    return new ModelOutput(new double[] {value}, -1);
  }

  /** A binary classifier's positive-class probability, class 1 when above {@code threshold}. */
  public static ModelOutput binary(double probability, double threshold) {
    return new ModelOutput(new double[] {probability}, probability > threshold ? 1 : 0);
  }

  /** A multi-class classifier's probabilities; the most probable class (the first on a tie). */
  public static ModelOutput classes(double[] probabilities) {
    int best = 0;
    for (int k = 1; k < probabilities.length; k++) {
      if (probabilities[k] > probabilities[best]) {
        best = k;
      }
    }
    return new ModelOutput(probabilities, best);
  }

  /** The first output: the value, or the positive-class probability of a binary classifier. */
  public double value() {
    return values[0];
  }

  @Override
  public double[] values() {
    return values.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelOutput other
        && other.predictedClass == predictedClass
        && Arrays.equals(other.values, values);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(values) + predictedClass;
  }

  @Override
  public String toString() {
    return "ModelOutput"
        + Arrays.toString(values)
        + (predictedClass < 0 ? "" : "->" + predictedClass);
  }

  /** A deterministic coder: the count of values, the values, the class index. */
  public static Coder<ModelOutput> coder() {
    return ModelOutputCoder.INSTANCE;
  }

  private static final class ModelOutputCoder extends AtomicCoder<ModelOutput> {
    static final ModelOutputCoder INSTANCE = new ModelOutputCoder();
    private static final Coder<Integer> INT = VarIntCoder.of();
    private static final Coder<Double> DOUBLE = DoubleCoder.of();

    @Override
    public void encode(ModelOutput value, OutputStream out) throws IOException {
      INT.encode(value.values.length, out);
      for (double v : value.values) {
        DOUBLE.encode(v, out);
      }
      INT.encode(value.predictedClass + 1, out);
    }

    @Override
    public ModelOutput decode(InputStream in) throws IOException {
      double[] values = new double[INT.decode(in)];
      for (int i = 0; i < values.length; i++) {
        values[i] = DOUBLE.decode(in);
      }
      return new ModelOutput(values, INT.decode(in) - 1);
    }

    @Override
    public void verifyDeterministic() {}

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of();
    }
  }
}
