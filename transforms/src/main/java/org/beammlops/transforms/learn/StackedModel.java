package org.beammlops.transforms.learn;

import java.util.ArrayList;
import java.util.List;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.transforms.learn.onnx.OnnxGraph;

/**
 * The trained model: base learners fitted on all training rows and the stacker over their scores.
 * {@link #toOnnx()} exports it as one graph; {@link #predict} computes the same thing with each
 * learner's own library, which is what the graph is checked against.
 */
public final class StackedModel implements AutoCloseable {
  /** The graph's input: the feature spec's vector, float [N, width]. */
  public static final String INPUT = "features";

  /** Output of a classification graph: probability of class 1, [N, 1]. */
  public static final String PROBABILITY = "probability";

  /** Output of a multi-class graph: the probability of each class, [N, classes]. */
  public static final String PROBABILITIES = "probabilities";

  /** Output of a regression graph: the predicted value, [N, 1]. */
  public static final String PREDICTION = "prediction";

  /**
   * Second output: the base learners' scores in stack order, [N, learners], or [N, learners ·
   * classes] for multi-class (each learner's class margins side by side).
   */
  public static final String BASE_SCORES = "base_scores";

  private final Objective objective;
  private final int width;
  private final List<FittedLearner> bases;
  private final Stacker stacker;

  public StackedModel(Objective objective, int width, List<FittedLearner> bases, Stacker stacker) {
    List<String> names = bases.stream().map(b -> b.spec().name()).toList();
    if (!names.equals(stacker.learners())) {
      throw new IllegalArgumentException(
          "stacker was fitted on " + stacker.learners() + ", base learners are " + names);
    }
    if (!objective.equals(stacker.objective())) {
      throw new IllegalArgumentException(
          "stacker was fitted for " + stacker.objective() + ", the model is " + objective);
    }
    this.objective = objective;
    this.width = width;
    this.bases = List.copyOf(bases);
    this.stacker = stacker;
  }

  /** The name of the main output for a task type. */
  public static String outputName(Task.Type type) {
    return switch (type) {
      case CLASSIFICATION -> PROBABILITY;
      case MULTICLASS -> PROBABILITIES;
      case REGRESSION -> PREDICTION;
    };
  }

  public Objective objective() {
    return objective;
  }

  public int width() {
    return width;
  }

  public List<FittedLearner> bases() {
    return bases;
  }

  public Stacker stacker() {
    return stacker;
  }

  /** Each base learner's scores of {@code rows}: {@code [learner][row * width + c]}. */
  public double[][] baseScores(TrainingMatrix rows) {
    double[][] scores = new double[bases.size()][];
    for (int j = 0; j < bases.size(); j++) {
      scores[j] = bases.get(j).score(rows);
    }
    return scores;
  }

  /**
   * The stack's predictions of {@code rows}, from the learners' own predictions: one per row, or
   * the class probabilities row by row for multi-class.
   */
  public double[] predict(TrainingMatrix rows) {
    return stacker.predict(baseScores(rows));
  }

  /** One ONNX graph: every base learner, then the stacker. */
  public byte[] toOnnx() {
    OnnxGraph graph = OnnxGraph.create("beam-mlops-stack", INPUT, width);
    List<String> scores = new ArrayList<>();
    for (FittedLearner base : bases) {
      scores.add(base.addTo(graph, graph.input()));
    }
    graph.output(outputName(objective.type()), stacker.addTo(graph, scores));
    graph.output(BASE_SCORES, graph.concat(scores));
    return graph.toBytes();
  }

  @Override
  public void close() {
    bases.forEach(FittedLearner::close);
  }
}
