package org.beammlops.transforms.learn.onnx;

import static org.beammlops.transforms.learn.onnx.OnnxProtos.batchOfRows;
import static org.beammlops.transforms.learn.onnx.OnnxProtos.floatTensor;
import static org.beammlops.transforms.learn.onnx.OnnxProtos.intAttribute;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds one ONNX graph holding several learners and what combines them (a stacker), over one float
 * input of shape [N, width]. Every method adds nodes and returns the name of the tensor it
 * produced, to be passed on to the next step; every tensor is a float matrix [N, k] whose width k
 * the builder tracks, so that a width mismatch fails here rather than in ONNX Runtime.
 *
 * <pre>{@code
 * OnnxGraph g = OnnxGraph.create("flights", "features", width);
 * String trees = g.sigmoid(g.treeEnsemble(XGBoostModel.parse(json), g.zerosAsMissing(g.input())));
 * String linear = g.sigmoid(g.linear(g.input(), weights, bias));
 * g.output("probability", g.sigmoid(g.linear(g.concat(List.of(linear, trees)), w2, b2)));
 * byte[] onnx = g.toBytes();
 * }</pre>
 *
 * <p>The model declares IR version 8, the core opset 13 and the {@code ai.onnx.ml} opset 3.
 */
public final class OnnxGraph {
  public static final long IR_VERSION = 8;
  public static final long CORE_OPSET = 13;
  public static final String ML_DOMAIN = "ai.onnx.ml";
  public static final long ML_OPSET = 3;
  public static final String PRODUCER = "beam-mlops";

  private final GraphProto.Builder graph;
  private final String input;

  /** Columns of every float [N, k] tensor produced so far, by name. */
  private final Map<String, Integer> widths = new HashMap<>();

  /** Every name taken in the graph: tensors, initializers, helper values. */
  private final Set<String> names = new HashSet<>();

  private int nextId;
  private String zeroConstant;
  private String nanConstant;

  private OnnxGraph(String graphName, String input, int width) {
    this.graph = GraphProto.newBuilder().setName(graphName).addInput(batchOfRows(input, width));
    this.input = input;
    names.add(input);
    widths.put(input, width);
  }

  /**
   * A graph reading one float input {@code inputName} of shape [N, width], N dynamic.
   *
   * @param graphName the graph's name inside the model
   */
  public static OnnxGraph create(String graphName, String inputName, int width) {
    if (width < 1) {
      throw new IllegalArgumentException("width must be positive, got " + width);
    }
    return new OnnxGraph(graphName, inputName, width);
  }

  /** The graph input's name. */
  public String input() {
    return input;
  }

  /** The number of columns of a tensor produced so far. */
  public int width(String tensor) {
    Integer width = widths.get(tensor);
    if (width == null) {
      throw new IllegalArgumentException("no tensor named '" + tensor + "' in this graph");
    }
    return width;
  }

  /**
   * {@code x} with every 0 replaced by NaN, i.e. {@code Where(Equal(x, 0), NaN, x)}: the input
   * XGBoost trees must read.
   *
   * <p><b>Convention "zero means missing".</b> The trainer hands XGBoost a CSR matrix holding only
   * the non-zero entries (the vectors are mostly one-hot; dense would not fit in memory), and
   * XGBoost treats an absent CSR entry as missing: such a row follows each split's default
   * direction, not the {@code x < threshold} test. Scoring dense rows must reproduce that, so a 0.0
   * becomes NaN, which {@code TreeEnsembleRegressor} sends the default way. A genuine numeric 0 is
   * therefore indistinguishable from missing, in training as in serving.
   */
  public String zerosAsMissing(String x) {
    int width = width(x);
    if (zeroConstant == null) {
      zeroConstant = constant("zero", 0f);
      nanConstant = constant("nan", Float.NaN);
    }
    String isZero = fresh("is_zero");
    graph.addNode(node("Equal", isZero).addInput(x).addInput(zeroConstant));
    String result = fresh("zeros_as_missing");
    addNode(
        node("Where", result).addInput(isZero).addInput(nanConstant).addInput(x), result, width);
    return result;
  }

  /**
   * The raw margin [N, 1] of an XGBoost model (base score included), or [N, classes] of a
   * multi-class one, as an ONNX-ML {@code TreeEnsembleRegressor}. Feed it {@link #zerosAsMissing}
   * of the features to score as XGBoost did on the sparse training matrix.
   */
  public String treeEnsemble(XGBoostModel model, String x) {
    int width = width(x);
    if (model.numFeature() > width) {
      throw new IllegalArgumentException(
          "the XGBoost model reads "
              + model.numFeature()
              + " features but '"
              + x
              + "' has "
              + width
              + " columns");
    }
    String margin = fresh("tree_margin");
    addNode(
        TreeEnsembleRegressorNode.of(model, x, margin, margin).toBuilder(),
        margin,
        model.outputs());
    return margin;
  }

  /** The logistic function, element-wise, same width as {@code x}. */
  public String sigmoid(String x) {
    String result = fresh("sigmoid");
    addNode(node("Sigmoid", result).addInput(x), result, width(x));
    return result;
  }

  /** {@code x · weights + bias}, [N, 1], as a {@code Gemm} over float weights. */
  public String linear(String x, float[] weights, float bias) {
    return linear(x, weights, new double[] {bias});
  }

  /**
   * {@code x · W + b}, [N, outputs] with {@code outputs = biases.length}, as one {@code Gemm}:
   * {@code weights} is W [width of x, outputs] row by row ({@code weights[column * outputs + o]}).
   */
  public String linear(String x, float[] weights, double[] biases) {
    int width = width(x);
    int outputs = biases.length;
    if (outputs == 0 || weights.length != width * outputs) {
      throw new IllegalArgumentException(
          weights.length
              + " weights and "
              + outputs
              + " biases for '"
              + x
              + "', which has "
              + width
              + " columns");
    }
    float[] b = new float[outputs];
    for (int o = 0; o < outputs; o++) {
      b[o] = (float) biases[o];
    }
    String result = fresh("linear");
    String w =
        initializer(floatTensor(claim(result + "_weights"), new long[] {width, outputs}, weights));
    String bias = initializer(floatTensor(claim(result + "_bias"), new long[] {outputs}, b));
    addNode(node("Gemm", result).addInput(x).addInput(w).addInput(bias), result, outputs);
    return result;
  }

  /** The softmax of each row of {@code x}, same width. */
  public String softmax(String x) {
    String result = fresh("softmax");
    addNode(
        node("Softmax", result).addInput(x).addAttribute(intAttribute("axis", 1)),
        result,
        width(x));
    return result;
  }

  /** The tensors side by side along axis 1: [N, sum of their widths]. */
  public String concat(List<String> tensors) {
    if (tensors.isEmpty()) {
      throw new IllegalArgumentException("nothing to concatenate");
    }
    String result = fresh("concat");
    NodeProto.Builder concat = node("Concat", result).addAttribute(intAttribute("axis", 1));
    int width = 0;
    for (String tensor : tensors) {
      width += width(tensor);
      concat.addInput(tensor);
    }
    addNode(concat, result, width);
    return result;
  }

  /** Declares {@code tensor} a graph output named {@code name}, a float [N, k]. */
  public OnnxGraph output(String name, String tensor) {
    int width = width(tensor);
    claim(name);
    addNode(node("Identity", name).addInput(tensor), name, width);
    graph.addOutput(batchOfRows(name, width));
    return this;
  }

  /** The model: this graph with its IR version, opsets and producer. */
  public ModelProto toModel() {
    if (graph.getOutputCount() == 0) {
      throw new IllegalStateException("the graph has no output: call output(name, tensor)");
    }
    return ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .setProducerName(PRODUCER)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(CORE_OPSET))
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(ML_DOMAIN).setVersion(ML_OPSET))
        .setGraph(graph.build())
        .build();
  }

  /** The serialized model, what a {@code model.onnx} file holds. */
  public byte[] toBytes() {
    return toModel().toByteArray();
  }

  private String constant(String prefix, float value) {
    return initializer(floatTensor(fresh(prefix), new long[0], value));
  }

  private String initializer(TensorProto tensor) {
    graph.addInitializer(tensor);
    return tensor.getName();
  }

  private static NodeProto.Builder node(String opType, String output) {
    return NodeProto.newBuilder().setName(output).setOpType(opType).addOutput(output);
  }

  private void addNode(NodeProto.Builder node, String output, int width) {
    graph.addNode(node);
    widths.put(output, width);
  }

  /** A name not used yet in this graph, now taken. */
  private String fresh(String prefix) {
    String name;
    do {
      name = prefix + "_" + nextId++;
    } while (names.contains(name));
    return claim(name);
  }

  private String claim(String name) {
    if (!names.add(name)) {
      throw new IllegalArgumentException("the name '" + name + "' is already taken in this graph");
    }
    return name;
  }
}
