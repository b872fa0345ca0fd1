package org.beammlops.transforms.onnx;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.TranslatorContext;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Scores float rows with an ONNX model through DJL's ONNX Runtime engine: the model's single input
 * is a float [N, width], and the first output comes back as [N, k]. One runner serves every thread
 * of a JVM: the ONNX Runtime session is shared and runs concurrently, each concurrent caller
 * borrowing one of a pool of DJL predictors (a predictor is not thread-safe); close it, when no
 * call is running, to free the native session.
 *
 * <p>DJL must not reach the network: run with {@code -Dai.djl.offline=true} (or {@code
 * OPT_OUT_TRACKING=true}); ONNX Runtime's native library comes from its jar.
 */
public final class OnnxRunner implements AutoCloseable {
  private static final String ENGINE = "OnnxRuntime";

  private final Model model;
  private final FloatBatchTranslator translator;

  /** Predictors not in use; one is made when every existing one is busy. */
  private final ConcurrentLinkedQueue<Predictor<FloatBatch, float[][]>> idle =
      new ConcurrentLinkedQueue<>();

  private final ConcurrentLinkedQueue<Predictor<FloatBatch, float[][]>> made =
      new ConcurrentLinkedQueue<>();
  private final String inputName;
  private final int inputWidth;

  private OnnxRunner(Model model, ValueInfoProto input) {
    this.model = model;
    this.inputName = input.getName();
    TensorShapeProto shape = input.getType().getTensorType().getShape();
    this.inputWidth =
        shape.getDimCount() == 2 && shape.getDim(1).hasDimValue()
            ? (int) shape.getDim(1).getDimValue()
            : -1;
    this.translator = new FloatBatchTranslator(inputName);
  }

  /** Loads a serialized model, with one intra-op thread. */
  public static OnnxRunner load(byte[] onnx) {
    return load(onnx, 1);
  }

  /** Loads a serialized model, ONNX Runtime using {@code intraOpThreads} threads per batch. */
  public static OnnxRunner load(byte[] onnx, int intraOpThreads) {
    return load(onnx, intraOpThreads, "the model");
  }

  /** Loads a {@code .onnx} file, with one intra-op thread. */
  public static OnnxRunner load(Path onnxFile) {
    return load(onnxFile, 1);
  }

  /** Loads a {@code .onnx} file, ONNX Runtime using {@code intraOpThreads} threads per batch. */
  public static OnnxRunner load(Path onnxFile, int intraOpThreads) {
    try {
      return load(Files.readAllBytes(onnxFile), intraOpThreads, onnxFile.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + onnxFile, e);
    }
  }

  private static OnnxRunner load(byte[] onnx, int intraOpThreads, String what) {
    Map<String, String> options = sessionOptions(intraOpThreads);
    // DJL reports input names but no shapes for ONNX Runtime; the width comes from the graph.
    ValueInfoProto input = firstInput(onnx, what);
    Model model = Model.newInstance("onnx-model", ENGINE);
    try {
      model.load(new ByteArrayInputStream(onnx), options);
      return new OnnxRunner(model, input);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new OnnxRunException("ONNX Runtime cannot load " + what + ": " + e.getMessage(), e);
    }
  }

  /** The graph's first input that is not an initializer: what rows are fed to. */
  private static ValueInfoProto firstInput(byte[] onnx, String what) {
    GraphProto graph;
    try {
      graph = ModelProto.parseFrom(onnx).getGraph();
    } catch (InvalidProtocolBufferException e) {
      throw new OnnxRunException(what + " is not an ONNX model: " + e.getMessage(), e);
    }
    Set<String> initializers = new HashSet<>();
    graph.getInitializerList().forEach(tensor -> initializers.add(tensor.getName()));
    return graph.getInputList().stream()
        .filter(input -> !initializers.contains(input.getName()))
        .findFirst()
        .orElseThrow(() -> new OnnxRunException(what + " has no input", null));
  }

  private static Map<String, String> sessionOptions(int intraOpThreads) {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads must be positive, got " + intraOpThreads);
    }
    return Map.of("intraOpNumThreads", Integer.toString(intraOpThreads), "interOpNumThreads", "1");
  }

  /** The model input's name. */
  public String inputName() {
    return inputName;
  }

  /** The number of features per row the model declares, or -1 if it leaves it open. */
  public int inputWidth() {
    return inputWidth;
  }

  /**
   * Scores rows, each of {@link #inputWidth()} features.
   *
   * @return the first output, one array of k values per row
   * @throws IllegalArgumentException if a row has the wrong width
   */
  public float[][] run(float[][] rows) {
    int width = rows.length == 0 ? Math.max(inputWidth, 0) : rows[0].length;
    float[] flat = new float[rows.length * width];
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != width || (inputWidth >= 0 && width != inputWidth)) {
        throw new IllegalArgumentException(
            "row " + i + " has " + rows[i].length + " features; " + expectation());
      }
      System.arraycopy(rows[i], 0, flat, i * width, width);
    }
    return run(flat, rows.length);
  }

  /**
   * Scores {@code rowCount} rows laid end to end in {@code rows} (row-major), the cheap way to
   * score a batch.
   *
   * @return the first output, one array of k values per row
   * @throws IllegalArgumentException if {@code rows} does not hold {@code rowCount} rows of the
   *     model's width
   */
  public float[][] run(float[] rows, int rowCount) {
    boolean fits =
        inputWidth >= 0
            ? rows.length == (long) rowCount * inputWidth
            : rowCount > 0 && rows.length % rowCount == 0;
    if (!fits) {
      throw new IllegalArgumentException(
          rows.length + " values are not " + rowCount + " rows; " + expectation());
    }
    if (rowCount == 0) {
      return new float[0][];
    }
    Predictor<FloatBatch, float[][]> predictor = idle.poll();
    if (predictor == null) {
      predictor = model.newPredictor(translator);
      made.add(predictor);
    }
    try {
      return predictor.predict(new FloatBatch(rows, rowCount, rows.length / rowCount));
    } catch (TranslateException e) {
      throw new OnnxRunException(
          "ONNX Runtime failed on a batch of " + rowCount + " rows: " + e.getMessage(), e);
    } finally {
      idle.offer(predictor);
    }
  }

  private String expectation() {
    return inputWidth >= 0
        ? "the model's input '" + inputName + "' takes " + inputWidth + " features per row"
        : "the model's input '" + inputName + "' takes rows of one width";
  }

  @Override
  public void close() {
    made.forEach(Predictor::close);
    model.close();
  }

  /** Rows laid end to end, row-major. */
  private record FloatBatch(float[] values, int rows, int columns) {}

  /** Wraps a batch as the model's input and copies the first output back to the heap. */
  private static final class FloatBatchTranslator
      implements NoBatchifyTranslator<FloatBatch, float[][]> {
    private final String inputName;

    FloatBatchTranslator(String inputName) {
      this.inputName = inputName;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, FloatBatch batch) {
      NDArray array =
          ctx.getNDManager().create(batch.values(), new Shape(batch.rows(), batch.columns()));
      array.setName(inputName);
      return new NDList(array);
    }

    @Override
    public float[][] processOutput(TranslatorContext ctx, NDList outputs) {
      NDArray output = outputs.get(0);
      if (output.getDataType() != DataType.FLOAT32) {
        output = output.toType(DataType.FLOAT32, false);
      }
      Shape shape = output.getShape();
      int rows = (int) shape.get(0);
      int columns = shape.dimension() == 1 ? 1 : (int) (shape.size() / rows);
      float[] flat = output.toFloatArray();
      float[][] result = new float[rows][columns];
      for (int i = 0; i < rows; i++) {
        System.arraycopy(flat, i * columns, result[i], 0, columns);
      }
      return result;
    }
  }
}
