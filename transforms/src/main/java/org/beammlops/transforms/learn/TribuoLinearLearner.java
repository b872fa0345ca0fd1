package org.beammlops.transforms.learn;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import org.beammlops.schemas.usecase.Task;
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
 * Logistic regression (classification) and linear regression with Tribuo's SGD trainers (AdaGrad).
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
  private static final String POSITIVE = "1";
  private static final String NEGATIVE = "0";
  private static final String TARGET = "target";

  @Override
  public FittedLearner fit(
      LearnerSpec spec, Task.Type type, TrainingMatrix rows, float[] weights, long seed) {
    int epochs = spec.intParam("epochs", 5);
    double learningRate = spec.doubleParam("learning_rate", 0.5);
    int minibatch = spec.intParam("minibatch", 1);
    String[] names = columnNames(rows.width());
    if (type == Task.Type.CLASSIFICATION) {
      var trainer =
          new org.tribuo.classification.sgd.linear.LinearSGDTrainer(
              new LogMulticlass(), new AdaGrad(learningRate, 0.1), epochs, -1, minibatch, seed);
      MutableDataset<Label> data = dataset(new LabelFactory());
      for (int r = 0; r < rows.rows(); r++) {
        Label label = new Label(rows.target(r) > 0.5 ? POSITIVE : NEGATIVE);
        data.add(example(label, rows, r, names, weights[r]));
      }
      if (data.getOutputInfo().size() < 2) {
        throw new IllegalArgumentException(
            "learner '" + spec.name() + "': the training rows hold a single class");
      }
      return new Fitted(spec, type, trainer.train(data), names, 0, 1);
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
    return new Fitted(spec, type, trainer.train(data), names, mean, scale);
  }

  @Override
  public FittedLearner restore(LearnerSpec spec, Task.Type type, byte[] modelBytes, int width) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(modelBytes))) {
      double mean = in.readDouble();
      double scale = in.readDouble();
      Model<?> model = Model.deserializeFromStream(in);
      return new Fitted(spec, type, model, columnNames(width), mean, scale);
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

  /** A fitted Tribuo linear model; classification scores are log odds of class 1. */
  private static final class Fitted implements FittedLearner {
    private final LearnerSpec spec;
    private final Task.Type type;
    private final Model<?> model;
    private final String[] names;
    private final double targetMean;
    private final double targetScale;

    Fitted(
        LearnerSpec spec,
        Task.Type type,
        Model<?> model,
        String[] names,
        double targetMean,
        double targetScale) {
      this.spec = spec;
      this.type = type;
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
      double[] out = new double[rows.rows()];
      if (type == Task.Type.CLASSIFICATION) {
        Model<Label> m = (Model<Label>) model;
        for (int r = 0; r < rows.rows(); r++) {
          Prediction<Label> p = m.predict(example(new Label(NEGATIVE), rows, r, names, 1f));
          double p1 = p.getOutputScores().get(POSITIVE).getScore();
          double p0 = p.getOutputScores().get(NEGATIVE).getScore();
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

    /** Weights per vector column and a bias, in score units (see the class comment). */
    LinearWeights weights() {
      DenseMatrix w = ((AbstractLinearSGDModel<?>) model).getWeightsCopy();
      var features = model.getFeatureIDMap();
      int biasColumn = features.size();
      float[] column = new float[names.length];
      double bias;
      if (type == Task.Type.CLASSIFICATION) {
        @SuppressWarnings("unchecked")
        var outputs = ((Model<Label>) model).getOutputIDInfo();
        int pos = outputs.getID(new Label(POSITIVE));
        int neg = outputs.getID(new Label(NEGATIVE));
        for (int c = 0; c < names.length; c++) {
          var info = features.get(names[c]);
          if (info != null) {
            column[c] = (float) (w.get(pos, info.getID()) - w.get(neg, info.getID()));
          }
        }
        int constant = features.get(CONSTANT).getID();
        bias =
            w.get(pos, biasColumn)
                - w.get(neg, biasColumn)
                + w.get(pos, constant)
                - w.get(neg, constant);
      } else {
        for (int c = 0; c < names.length; c++) {
          var info = features.get(names[c]);
          if (info != null) {
            column[c] = (float) (w.get(0, info.getID()) * targetScale);
          }
        }
        int constant = features.get(CONSTANT).getID();
        bias = (w.get(0, biasColumn) + w.get(0, constant)) * targetScale + targetMean;
      }
      return new LinearWeights(column, bias);
    }

    @Override
    public String addTo(OnnxGraph graph, String features) {
      LinearWeights lw = weights();
      return graph.linear(features, lw.weights(), (float) lw.bias());
    }
  }

  /** Weights of a linear score over the vector's columns. */
  record LinearWeights(float[] weights, double bias) {
    @Override
    public String toString() {
      return "LinearWeights" + List.of(weights.length, bias);
    }
  }
}
