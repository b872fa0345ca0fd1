package org.beammlops.transforms.profile;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;

/**
 * The accumulator of a dataset profile: the number of rows and one {@link FeatureAccumulator} per
 * profiled feature, in {@link DatasetProfiler#featureNames()} order. Made and filled by {@link
 * DatasetProfiler}; encoded by {@link #coder()}, which writes the KLL sketches in their own compact
 * binary form.
 */
public final class ProfileAccumulator {
  long rows;
  final FeatureAccumulator[] features;

  ProfileAccumulator(FeatureAccumulator[] features) {
    this.features = features;
  }

  /** Rows added so far. */
  public long rows() {
    return rows;
  }

  /** A deterministic coder: equal accumulators encode to equal bytes. */
  public static Coder<ProfileAccumulator> coder() {
    return ProfileAccumulatorCoder.INSTANCE;
  }

  private static final class ProfileAccumulatorCoder extends AtomicCoder<ProfileAccumulator> {
    static final ProfileAccumulatorCoder INSTANCE = new ProfileAccumulatorCoder();

    @Override
    public void encode(ProfileAccumulator value, OutputStream outStream) throws IOException {
      // Not closed: the stream belongs to the caller.
      DataOutputStream out = new DataOutputStream(outStream);
      out.writeLong(value.rows);
      out.writeInt(value.features.length);
      for (FeatureAccumulator f : value.features) {
        f.encode(out);
      }
      out.flush();
    }

    @Override
    public ProfileAccumulator decode(InputStream inStream) throws IOException {
      DataInputStream in = new DataInputStream(inStream);
      long rows = in.readLong();
      FeatureAccumulator[] features = new FeatureAccumulator[in.readInt()];
      for (int i = 0; i < features.length; i++) {
        features[i] = FeatureAccumulator.decode(in);
      }
      ProfileAccumulator a = new ProfileAccumulator(features);
      a.rows = rows;
      return a;
    }

    @Override
    public void verifyDeterministic() {}

    private Object readResolve() {
      return INSTANCE;
    }
  }
}
