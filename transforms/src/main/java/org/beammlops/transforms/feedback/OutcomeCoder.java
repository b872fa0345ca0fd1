package org.beammlops.transforms.feedback;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/**
 * {@link Outcome}s and {@link Truth}s as a few primitives. Runners encode them on every shuffle and
 * state access, and on the DirectRunner every window's buffered outcomes are copied once per
 * bundle: Java serialization (class descriptors, boxed fields) made that the cost of a window.
 */
public final class OutcomeCoder extends AtomicCoder<Outcome> {
  private static final OutcomeCoder INSTANCE = new OutcomeCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();

  private OutcomeCoder() {}

  public static OutcomeCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(Outcome o, OutputStream out) throws IOException {
    STRING.encode(o.requestId(), out);
    STRING.encode(o.modelVersion(), out);
    DataOutputStream data = new DataOutputStream(out);
    data.writeLong(o.eventTime());
    data.writeDouble(o.value());
    data.writeInt(o.predictedClass());
    data.writeInt(o.probabilities().length);
    for (double p : o.probabilities()) {
      data.writeDouble(p);
    }
    data.writeBoolean(o.target() != null);
    if (o.target() != null) {
      data.writeDouble(o.target());
    }
    data.flush();
  }

  @Override
  public Outcome decode(InputStream in) throws IOException {
    String requestId = STRING.decode(in);
    String modelVersion = STRING.decode(in);
    DataInputStream data = new DataInputStream(in);
    long eventTime = data.readLong();
    double value = data.readDouble();
    int predictedClass = data.readInt();
    double[] probabilities = new double[data.readInt()];
    for (int i = 0; i < probabilities.length; i++) {
      probabilities[i] = data.readDouble();
    }
    Double target = data.readBoolean() ? data.readDouble() : null;
    return new Outcome(
        requestId, modelVersion, eventTime, value, predictedClass, probabilities, target);
  }

  @Override
  public void verifyDeterministic() {}

  /** {@link Truth}s the same way. */
  public static final class TruthCoder extends AtomicCoder<Truth> {
    private static final TruthCoder TRUTHS = new TruthCoder();

    private TruthCoder() {}

    public static TruthCoder of() {
      return TRUTHS;
    }

    @Override
    public void encode(Truth t, OutputStream out) throws IOException {
      STRING.encode(t.requestId(), out);
      DataOutputStream data = new DataOutputStream(out);
      data.writeLong(t.eventTime());
      data.writeDouble(t.target());
      data.flush();
    }

    @Override
    public Truth decode(InputStream in) throws IOException {
      String requestId = STRING.decode(in);
      DataInputStream data = new DataInputStream(in);
      return new Truth(requestId, data.readLong(), data.readDouble());
    }

    @Override
    public void verifyDeterministic() {}
  }
}
