package org.beammlops.transforms.serving;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.beammlops.schemas.Prediction;

/** A prediction as a Kafka message: readable JSON, or Avro binary for speed. */
public final class PredictionJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PredictionJson() {}

  public static byte[] json(Prediction p) {
    ObjectNode node = JSON.createObjectNode();
    node.put("requestId", p.getRequestId().toString());
    node.put("useCase", p.getUseCase().toString());
    node.put("task", p.getTask().toString());
    node.put("eventTime", p.getEventTime().toString());
    node.put("scoredAt", p.getScoredAt().toString());
    node.put("modelName", p.getModelName().toString());
    node.put("modelVersion", p.getModelVersion().toString());
    node.put("prediction", p.getPrediction());
    if (p.getPredictedClass() != null) {
      node.put("predictedClass", p.getPredictedClass().toString());
    }
    ObjectNode probabilities = node.putObject("classProbabilities");
    p.getClassProbabilities().forEach((k, v) -> probabilities.put(k.toString(), v));
    node.put("latencyMillis", p.getLatencyMillis());
    ObjectNode features = node.putObject("features");
    p.getFeatures()
        .forEach(
            (k, v) -> {
              if (v == null) {
                features.putNull(k.toString());
              } else if (v instanceof Double d) {
                features.put(k.toString(), d);
              } else {
                features.put(k.toString(), v.toString());
              }
            });
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] avro(Prediction p) {
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new SpecificDatumWriter<>(Prediction.class).write(p, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
