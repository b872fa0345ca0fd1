package org.beammlops.transforms.learn;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import org.beammlops.transforms.learn.onnx.OnnxGraph;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Output;
import org.tribuo.OutputFactory;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.common.sgd.AbstractLinearSGDModel;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.sgd.objectives.SquaredLoss;

/**
 * Logistic regression (binary and multinomial) and linear regression with Tribuo's SGD trainers
 * (AdaGrad).
 *
 * <p>Tribuo numbers features by sorted name, so columns are named {@code c000042}: zero-padded
 * names keep Tribuo's order equal to the vector's, and the weights are still read back through the
 * model's feature map. Every example also carries a constant feature so that no example is empty.
 * Regression targets are standardized before fitting (SGD steps are then the same size whatever the
 * target's unit) and the scale is folded back into the exported weights.
 *
 * <p>Params: {@code epochs} (5), {@code learning_rate} (0.5), {@code minibatch} (1).
 */
final class TribuoLinearLearner implements Learner {
  static final String CONSTANT = "const";
  private static final String TARGET = "target";

  @Override
  public FittedLearner fit(
      LearnerSpec spec, Objective objective, TrainingMatrix rows, float[] weights, long seed) {
    int epochs = spec.intParam("epochs", 5);
    double learningRate = spec.doubleParam("learning_rate", 0.5);
    int minibatch = spec.intParam("minibatch", 1);
    String[] names = columnNames(rows.width());
    if (objective.isClassification()) {
      var trainer =
          new org.tribuo.classification.sgd.linear.LinearSGDTrainer(
              new LogMulticlass(), new AdaGrad(learningRate, 0.1), epochs, -1, minibatch, seed);
      MutableDataset<Label> data = dataset(new LabelFactory());
      boolean[] seen = new boolean[objective.classes()];
      for (int r = 0; r < rows.rows(); r++) {
        int target = classOf(objective, rows.target(r));
        seen[target] = true;
        data.add(example(new Label(label(target)), rows, r, names, weights[r]));
      }
      if (data.getOutputInfo().size() < 2) {
        throw new IllegalArgumentException(
            "learner '" + spec.name() + "': the training rows hold a single class");
      }
      // A class these rows lack (a rare one, in one fold) is still one of the model's outputs:
      // an example of weight 0 adds it to the label domain without pulling the fit towards it.
      for (int c = 0; c < seen.length; c++) {
        if (!seen[c]) {
          ArrayExample<Label> placeholder =
              new ArrayExample<>(new Label(label(c)), new String[] {CONSTANT}, new double[] {1});
          placeholder.setWeight(0f);
          data.add(placeholder);
        }
      }
      return new Fitted(spec, objective, trainer.train(data), names, 0, 1);
    }
    double mean = Arrays.stream(rows.targets()).average().orElse(0);
    double std =
        Math.sqrt(
            Arrays.stream(rows.targets()).map(t -> (t - mean) * (t - mean)).sum()
                / Math.max(1, rows.rows()));
    double scale = std > 0 ? std : 1;
    var trainer =
        new org.tribuo.regression.sgd.linear.LinearSGDTrainer(
            new SquaredLoss(), new AdaGrad(learningRate, 0.1), epochs, -1, minibatch, seed);
    MutableDataset<Regressor> data = dataset(new RegressionFactory());
    for (int r = 0; r < rows.rows(); r++) {
      Regressor target = new Regressor(TARGET, (rows.target(r) - mean) / scale);
      data.add(example(target, rows, r, names, weights[r]));
    }
    return new Fitted(spec, objective, trainer.train(data), names, mean, scale);
  }

  /** The class of a classification target: 0/1 for binary, the class index for multi-class. */
  private static int classOf(Objective objective, double target) {
    if (objective.isMultiClass()) {
      return (int) target;
    }
    return target > 0.5 ? 1 : 0;
  }

  /** Tribuo's label of class {@code c}: its index. */
  private static String label(int c) {
    return Integer.toString(c);
  }

  @Override
  public FittedLearner restore(
      LearnerSpec spec, Objective objective, byte[] modelBytes, int width) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(modelBytes))) {
      double mean = in.readDouble();
      double scale = in.readDouble();
      Model<?> model = Model.deserializeFromStream(in);
      return new Fitted(spec, objective, model, columnNames(width), mean, scale);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Tribuo model of '" + spec.name() + "'", e);
    }
  }

  static String[] columnNames(int width) {
    String[] names = new String[width];
    for (int c = 0; c < width; c++) {
      names[c] = String.format("c%06d", c);
    }
    return names;
  }

  private static <T extends Output<T>> MutableDataset<T> dataset(OutputFactory<T> factory) {
    return new MutableDataset<>(
        new SimpleDataSourceProvenance("beam-mlops training rows", factory), factory);
  }

  private static <T extends Output<T>> Example<T> example(
      T output, TrainingMatrix rows, int r, String[] names, float weight) {
    int n = rows.nonZeros(r);
    String[] featureNames = new String[n + 1];
    double[] values = new double[n + 1];
    for (int k = 0; k < n; k++) {
      featureNames[k] = names[rows.column(r, k)];
      values[k] = rows.value(r, k);
    }
    featureNames[n] = CONSTANT;
    values[n] = 1.0;
    ArrayExample<T> example = new ArrayExample<>(output, featureNames, values);
    example.setWeight(weight);
    return example;
  }

  /**
   * A fitted Tribuo linear model; binary scores are log odds of class 1, multi-class ones the log
   * probability of each class.
   */
  private static final class Fitted implements FittedLearner {
    private final LearnerSpec spec;
    private final Objective objective;
    private final Model<?> model;
    private final String[] names;
    private final double targetMean;
    private final double targetScale;

    Fitted(
        LearnerSpec spec,
        Objective objective,
        Model<?> model,
        String[] names,
        double targetMean,
        double targetScale) {
      this.spec = spec;
      this.objective = objective;
      this.model = model;
      this.names = names;
      this.targetMean = targetMean;
      this.targetScale = targetScale;
    }

    @Override
    public LearnerSpec spec() {
      return spec;
    }

    @Override
    @SuppressWarnings("unchecked")
    public double[] score(TrainingMatrix rows) {
      double[] out = new double[rows.rows() * objective.width()];
      if (objective.isMultiClass()) {
        Model<Label> m = (Model<Label>) model;
        int k = objective.classes();
        for (int r = 0; r < rows.rows(); r++) {
          var scores =
              m.predict(example(new Label(label(0)), rows, r, names, 1f)).getOutputScores();
          for (int c = 0; c < k; c++) {
            out[r * k + c] = Math.log(Math.max(scores.get(label(c)).getScore(), Double.MIN_NORMAL));
          }
        }
      } else if (objective.isClassification()) {
        Model<Label> m = (Model<Label>) model;
        for (int r = 0; r < rows.rows(); r++) {
          Prediction<Label> p = m.predict(example(new Label(label(0)), rows, r, names, 1f));
          double p1 = p.getOutputScores().get(label(1)).getScore();
          double p0 = p.getOutputScores().get(label(0)).getScore();
          out[r] =
              Math.log(Math.max(p1, Double.MIN_NORMAL)) - Math.log(Math.max(p0, Double.MIN_NORMAL));
        }
      } else {
        Model<Regressor> m = (Model<Regressor>) model;
        for (int r = 0; r < rows.rows(); r++) {
          Prediction<Regressor> p =
              m.predict(example(new Regressor(TARGET, 0), rows, r, names, 1f));
          out[r] = p.getOutput().getValues()[0] * targetScale + targetMean;
        }
      }
      return out;
    }

    /** The target standardization (regression) followed by Tribuo's own protobuf form. */
    @Override
    public byte[] modelBytes() {
      try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
          DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeDouble(targetMean);
        out.writeDouble(targetScale);
        model.serializeToStream(out);
        out.flush();
        return bytes.toByteArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /**
     * Weights per vector column and output, and a bias per output, in score units (see the class
     * comment). A multi-class model's outputs are its classes' linear scores, which differ from the
     * log probabilities {@link #score} returns by one constant per row (the softmax's normalizer),
     * so their softmax is the same.
     */
    LinearWeights weights() {
      DenseMatrix w = ((AbstractLinearSGDModel<?>) model).getWeightsCopy();
      var features = model.getFeatureIDMap();
      int biasColumn = features.size();
      int constant = features.get(CONSTANT).getID();
      int outputs = objective.width();
      float[] columns = new float[names.length * outputs];
      double[] biases = new double[outputs];
      if (objective.isClassification()) {
        @SuppressWarnings("unchecked")
        var ids = ((Model<Label>) model).getOutputIDInfo();
        for (int o = 0; o < outputs; o++) {
          // binary: the log odds, class 1's linear score minus class 0's
          int row = ids.getID(new Label(label(objective.isMultiClass() ? o : 1)));
          int minus = objective.isMultiClass() ? -1 : ids.getID(new Label(label(0)));
          for (int c = 0; c < names.length; c++) {
            var info = features.get(names[c]);
            if (info != null) {
              columns[c * outputs + o] = (float) difference(w, row, minus, info.getID());
            }
          }
          biases[o] = difference(w, row, minus, biasColumn) + difference(w, row, minus, constant);
        }
      } else {
        for (int c = 0; c < names.length; c++) {
          var info = features.get(names[c]);
          if (info != null) {
            columns[c] = (float) (w.get(0, info.getID()) * targetScale);
          }
        }
        biases[0] = (w.get(0, biasColumn) + w.get(0, constant)) * targetScale + targetMean;
      }
      return new LinearWeights(columns, biases);
    }

    /** {@code w[row][column] - w[minus][column]}, or the first alone when {@code minus < 0}. */
    private static double difference(DenseMatrix w, int row, int minus, int column) {
      return w.get(row, column) - (minus < 0 ? 0 : w.get(minus, column));
    }

    @Override
    public String addTo(OnnxGraph graph, String features) {
      LinearWeights lw = weights();
      return graph.linear(features, lw.weights(), lw.biases());
    }
  }

  /**
   * Weights of a linear score over the vector's columns: {@code weights[column * outputs + o]}, one
   * bias per output.
   */
  record LinearWeights(float[] weights, double[] biases) {
    @Override
    public String toString() {
      return "LinearWeights" + List.of(weights.length, Arrays.toString(biases));
    }
  }
}
