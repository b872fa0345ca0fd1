package org.beammlops.transforms.parse;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.zip.GZIPInputStream;
import org.apache.beam.sdk.io.Compression;

/**
 * Tells a compressed file by its first bytes, not its name: a gzip file named {@code .csv} is read
 * as the CSV it holds, and a compression that cannot be read here is one clear rejection of the
 * file instead of a dead letter per line of binary noise. (Files named {@code .gz}, {@code .bz2},
 * {@code .zip} are already decompressed by Beam before they get here.)
 */
final class Compressions {
  private Compressions() {}

  /** A compression the file is in that this reader cannot decompress. */
  static final class UnsupportedCompressionException extends IOException {
    UnsupportedCompressionException(String message) {
      super(message);
    }
  }

  /** The stream's content, decompressed when its magic bytes say gzip, bzip2 or zip. */
  static InputStream decompressed(InputStream in) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
    byte[] magic = peek(buffered, 6);
    if (starts(magic, 0x1f, 0x8b)) {
      return new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16);
    }
    if (starts(magic, 'B', 'Z', 'h')) {
      return decompress(Compression.BZIP2, buffered);
    }
    if (starts(magic, 'P', 'K', 3, 4)) {
      return decompress(Compression.ZIP, buffered);
    }
    if (starts(magic, 0x28, 0xb5, 0x2f, 0xfd)) {
      throw new UnsupportedCompressionException(
          "is zstd-compressed, which is not read; decompress it first (zstd -d)");
    }
    if (starts(magic, 0xfd, '7', 'z', 'X', 'Z', 0)) {
      throw new UnsupportedCompressionException(
          "is xz-compressed, which is not read; decompress it first (xz -d)");
    }
    return buffered;
  }

  private static InputStream decompress(Compression compression, InputStream in)
      throws IOException {
    return new BufferedInputStream(
        Channels.newInputStream(compression.readDecompressed(Channels.newChannel(in))), 1 << 16);
  }

  /** Up to {@code n} first bytes, left unread. */
  static byte[] peek(BufferedInputStream in, int n) throws IOException {
    in.mark(n);
    byte[] bytes = in.readNBytes(n);
    in.reset();
    return bytes;
  }

  private static boolean starts(byte[] bytes, int... magic) {
    if (bytes.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((bytes[i] & 0xff) != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
