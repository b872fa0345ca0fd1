package org.beammlops.transforms.inference;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.StructuredCoder;

/** Encodes a {@link PredictionResult} with the coders of its example and its inference. */
public final class PredictionResultCoder<I, O> extends StructuredCoder<PredictionResult<I, O>> {
  private static final Coder<String> STRING = StringUtf8Coder.of();
  private static final Coder<Double> DOUBLE = DoubleCoder.of();
  private final Coder<I> exampleCoder;
  private final Coder<O> inferenceCoder;

  private PredictionResultCoder(Coder<I> exampleCoder, Coder<O> inferenceCoder) {
    this.exampleCoder = exampleCoder;
    this.inferenceCoder = inferenceCoder;
  }

  public static <I, O> PredictionResultCoder<I, O> of(Coder<I> example, Coder<O> inference) {
    return new PredictionResultCoder<>(example, inference);
  }

  @Override
  public void encode(PredictionResult<I, O> value, OutputStream out) throws IOException {
    exampleCoder.encode(value.example(), out);
    inferenceCoder.encode(value.inference(), out);
    STRING.encode(value.model().name(), out);
    STRING.encode(value.model().version(), out);
    STRING.encode(value.model().location(), out);
    DOUBLE.encode(value.latencyMillis(), out);
  }

  @Override
  public PredictionResult<I, O> decode(InputStream in) throws IOException {
    I example = exampleCoder.decode(in);
    O inference = inferenceCoder.decode(in);
    ModelRef ref = new ModelRef(STRING.decode(in), STRING.decode(in), STRING.decode(in));
    return new PredictionResult<>(example, inference, ref, DOUBLE.decode(in));
  }

  @Override
  public List<? extends Coder<?>> getCoderArguments() {
    return List.of(exampleCoder, inferenceCoder);
  }

  @Override
  public void verifyDeterministic() throws NonDeterministicException {
    verifyDeterministic(this, "example coder", exampleCoder);
    verifyDeterministic(this, "inference coder", inferenceCoder);
  }
}
