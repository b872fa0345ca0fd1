package org.beammlops.transforms.inference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.transforms.features.FeatureSpec;
import org.beammlops.transforms.model.MlflowModel;
import org.beammlops.transforms.model.MlflowModelReader;
import org.beammlops.transforms.model.SchemaSpec;
import org.beammlops.transforms.onnx.OnnxRunner;
import org.beammlops.transforms.tracking.ModelUri;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingSettings;

/**
 * Serves the project's MLflow models with ONNX Runtime (through DJL): use-case records in, the
 * graph's first output out as a {@link ModelOutput}: the value of a regression, or class
 * probabilities and the class predicted at the model's own decision threshold. Each record is
 * vectorized with the <em>model's own</em> feature spec, so a new version with a new vocabulary is
 * served correctly the moment it is swapped in.
 *
 * <p>A version is refused when its directory is not a model, its graph does not load, its signature
 * does not take the spec's vector, or its spec is for another use case.
 */
public final class MlflowOnnxModelHandler implements ModelHandler<GenericRecord, ModelOutput> {
  private final String useCase;
  private final TrackingSettings tracking;

  private MlflowOnnxModelHandler(String useCase, TrackingSettings tracking) {
    this.useCase = useCase;
    this.tracking = tracking;
  }

  /**
   * Loads models of {@code useCase}; {@code models:/} URIs resolve through the server {@code
   * tracking} names, with the credentials it says where to find wherever the model is loaded.
   */
  public static MlflowOnnxModelHandler of(String useCase, TrackingSettings tracking) {
    return new MlflowOnnxModelHandler(useCase, tracking);
  }

  /** As {@link #of(String, TrackingSettings)} with {@link TrackingSettings#of(String)}. */
  public static MlflowOnnxModelHandler of(String useCase, String trackingUri) {
    return of(useCase, TrackingSettings.of(trackingUri));
  }

  @Override
  public String describe() {
    return "mlflow-onnx:" + useCase + "@" + tracking.trackingUri();
  }

  @Override
  public LoadedModel<GenericRecord, ModelOutput> load(ModelRef ref) {
    Path dir = localDirectory(tracking, ref);
    MlflowModel model = MlflowModelReader.read(dir);
    FeatureSpec spec;
    try {
      spec =
          FeatureSpec.fromJson(
              Files.readString(
                  model
                      .featureSpec()
                      .orElseThrow(
                          () -> new IllegalArgumentException(ref.id() + " has no feature spec"))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!spec.useCase().equals(useCase)) {
      throw new IllegalArgumentException(
          ref.id() + " was trained for use case '" + spec.useCase() + "', not '" + useCase + "'");
    }
    model
        .signatureIfAny()
        .ifPresent(
            signature -> {
              for (SchemaSpec input : signature.inputs().specs()) {
                if (input instanceof SchemaSpec.Tensor t
                    && t.shape().size() == 2
                    && t.shape().get(1) != spec.width()) {
                  throw new IllegalArgumentException(
                      ref.id()
                          + "'s signature takes "
                          + t.shape().get(1)
                          + " features, its feature spec makes "
                          + spec.width());
                }
              }
            });
    OnnxRunner runner = OnnxRunner.load(model.modelOnnx());
    if (runner.inputWidth() != spec.width()) {
      runner.close();
      throw new IllegalArgumentException(
          ref.id()
              + "'s graph takes "
              + runner.inputWidth()
              + " features, its feature spec makes "
              + spec.width());
    }
    return new Loaded(ref, spec, runner, kind(model), model.decisionThreshold());
  }

  /** The model directory of {@code ref} on this machine: downloaded (and cached) if need be. */
  public static Path localDirectory(TrackingSettings tracking, ModelRef ref) {
    String location = ref.location();
    if (!location.startsWith("models:/") && !location.startsWith("runs:/")) {
      Path dir = Path.of(location);
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException("model directory " + dir + " does not exist");
      }
      return dir;
    }
    try (TrackingClient client = TrackingClient.create(tracking.config())) {
      return client.resolve(ModelUri.parse(location)).localPath();
    }
  }

  /** What the graph's first output is. */
  private enum Kind {
    VALUE,
    BINARY,
    CLASSES
  }

  /**
   * The model's kind from its metadata; a model written before it said so is told by the name of
   * its graph's output (a binary classifier's is {@code probability}).
   */
  private static Kind kind(MlflowModel model) {
    String type =
        model
            .taskType()
            .orElseGet(
                () ->
                    model
                            .signatureIfAny()
                            .map(s -> s.outputs().specs().get(0).name())
                            .orElse("")
                            .contains("probability")
                        ? "classification"
                        : "regression");
    return switch (type) {
      case "classification" -> Kind.BINARY;
      case "multiclass" -> Kind.CLASSES;
      default -> Kind.VALUE;
    };
  }

  private static final class Loaded implements LoadedModel<GenericRecord, ModelOutput> {
    private final ModelRef ref;
    private final FeatureSpec spec;
    private final OnnxRunner runner;
    private final Kind kind;
    private final double threshold;

    Loaded(ModelRef ref, FeatureSpec spec, OnnxRunner runner, Kind kind, double threshold) {
      this.ref = ref;
      this.spec = spec;
      this.runner = runner;
      this.kind = kind;
      this.threshold = threshold;
    }

    private ModelOutput output(float[] row) {
      return switch (kind) {
        case VALUE -> ModelOutput.value(row[0]);
        case BINARY -> ModelOutput.binary(row[0], threshold);
        case CLASSES -> {
          double[] p = new double[row.length];
          for (int k = 0; k < p.length; k++) {
            p[k] = row[k];
          }
          yield ModelOutput.classes(p);
        }
      };
    }

    @Override
    public ModelRef ref() {
      return ref;
    }

    @Override
    public List<Scored<ModelOutput>> predict(List<GenericRecord> batch) {
      int width = spec.width();
      List<Scored<ModelOutput>> out = new ArrayList<>(batch.size());
      float[] rows = new float[batch.size() * width];
      int[] rowOf = new int[batch.size()];
      int n = 0;
      for (int i = 0; i < batch.size(); i++) {
        try {
          System.arraycopy(spec.vectorize(batch.get(i)), 0, rows, n * width, width);
          rowOf[i] = n++;
          out.add(null);
        } catch (RuntimeException e) {
          rowOf[i] = -1;
          out.add(Scored.failed("cannot vectorize: " + e.getMessage()));
        }
      }
      if (n > 0) {
        float[][] scores =
            runner.run(
                n * width == rows.length ? rows : java.util.Arrays.copyOf(rows, n * width), n);
        for (int i = 0; i < batch.size(); i++) {
          if (rowOf[i] >= 0) {
            out.set(i, Scored.ok(output(scores[rowOf[i]])));
          }
        }
      }
      return out;
    }

    @Override
    public void close() {
      runner.close();
    }
  }
}
