package org.beammlops.transforms.parse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Ids for records that carry none, derived from the source's name, the position in it and the
 * content, so that a re-run over the same input assigns the same ids and de-duplication makes it a
 * no-op. 80 bits of SHA-256: a collision among a billion records has odds below 1e-6.
 */
public final class StableIds {
  private static final int ID_BYTES = 10;
  private static final MessageDigest PROTOTYPE;

  static {
    try {
      PROTOTYPE = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private StableIds() {}

  /**
   * The id of the record at {@code position} in the source called {@code sourceName} (the file's
   * base name, so moving a folder keeps its ids) with raw content {@code content}.
   */
  public static String derive(String sourceName, long position, byte[] content) {
    MessageDigest digest;
    try {
      digest = (MessageDigest) PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
    digest.update(sourceName.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
    digest.update(Long.toString(position).getBytes(StandardCharsets.US_ASCII));
    digest.update((byte) 0);
    digest.update(content);
    byte[] hash = digest.digest();
    return HexFormat.of().formatHex(hash, 0, ID_BYTES);
  }

  /** The last path segment of a file path or URI, or the whole text for a topic-partition. */
  public static String baseName(String source) {
    int slash = source.lastIndexOf('/');
    return slash >= 0 ? source.substring(slash + 1) : source;
  }
}
