package org.beammlops.transforms.learn;

import java.nio.charset.StandardCharsets;

/**
 * Deterministic assignment of rows to cross-validation folds and hash splits by their id: the same
 * id always lands in the same fold for the same seed, whichever worker reads it and in whatever
 * order, so folds need no shuffle and no shared state.
 */
public final class Folds {
  private Folds() {}

  /** The fold of {@code id}, in {@code [0, folds)}. */
  public static int of(String id, int folds, long seed) {
    return (int) Long.remainderUnsigned(hash(id, seed), folds);
  }

  /** A uniform number in [0, 1) derived from {@code id} and {@code seed}. */
  public static double unit(String id, long seed) {
    return (hash(id, seed ^ 0x5DEECE66DL) >>> 11) * 0x1.0p-53;
  }

  /**
   * What identifies {@code record} for folds and splits: its id field, or, for a use case without
   * one (or a record without an id), its whole content.
   */
  public static String keyOf(org.apache.avro.generic.GenericRecord record, String idField) {
    Object id = idField == null ? null : record.get(idField);
    return id != null ? id.toString() : record.toString();
  }

  /** A 64-bit hash of an id that is the same on every machine and run: for a canonical order. */
  public static long stableHash(String id) {
    return hash(id, 0);
  }

  /** FNV-1a over the UTF-8 bytes, finished with SplitMix64's mixer. */
  static long hash(String id, long seed) {
    long h = 0xcbf29ce484222325L ^ seed;
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 30;
    h *= 0xbf58476d1ce4e5b9L;
    h ^= h >>> 27;
    h *= 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }
}
