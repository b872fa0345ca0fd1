package org.beammlops.transforms.tracking;

/** Argument checks the tracking client's parts share. */
final class Checks {
  private Checks() {}

  /** {@code value}, which must not be null or empty ({@code what} names it in the message). */
  static String text(String value, String what) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    return value;
  }
}
