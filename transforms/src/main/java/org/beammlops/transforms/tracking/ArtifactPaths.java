package org.beammlops.transforms.tracking;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Validation and joining of '/'-separated artifact paths; nothing may escape its root. */
final class ArtifactPaths {
  private ArtifactPaths() {}

  /**
   * Checks a path relative to an artifact root: '/'-separated, no empty, '.' or '..' segment, no
   * backslash or control character. "" (the root itself) is allowed. A single trailing '/' is
   * dropped.
   */
  static String checkRelative(String path, String what) {
    if (path == null) {
      return "";
    }
    String p = path;
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (p.isEmpty()) {
      return "";
    }
    if (p.startsWith("/")) {
      throw new IllegalArgumentException(
          what + " '" + path + "' must be relative (no leading '/')");
    }
    if (p.indexOf('\\') >= 0) {
      throw new IllegalArgumentException(
          what + " '" + path + "' must use '/' separators, not '\\'");
    }
    for (String segment : p.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            what + " '" + path + "' must not contain empty, '.' or '..' segments");
      }
      if (segment.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException(what + " '" + path + "' contains control characters");
      }
    }
    return p;
  }

  static String join(String a, String b) {
    if (a == null || a.isEmpty()) {
      return b == null ? "" : b;
    }
    if (b == null || b.isEmpty()) {
      return a;
    }
    return a + "/" + b;
  }

  static String basename(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  /** {@code base.resolve(relative)}, refusing anything that would land outside {@code base}. */
  static Path resolveInside(Path base, String relative) {
    String rel = checkRelative(relative, "artifact path");
    Path normalizedBase = base.toAbsolutePath().normalize();
    Path resolved = rel.isEmpty() ? normalizedBase : normalizedBase.resolve(rel).normalize();
    if (!resolved.startsWith(normalizedBase)) {
      throw new IllegalArgumentException("artifact path '" + relative + "' leaves " + base);
    }
    return resolved;
  }

  /** Percent-encodes each segment of a '/'-separated path (RFC 3986 unreserved kept). */
  static String encodePath(String path) {
    StringBuilder out = new StringBuilder();
    String[] segments = path.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        out.append('/');
      }
      out.append(encode(segments[i]));
    }
    return out.toString();
  }

  /** Percent-encodes a query parameter value or path segment (RFC 3986 unreserved kept). */
  static String encode(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        out.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /** Drops trailing slashes, keeping a scheme's own ({@code file:/}, {@code s3://}). */
  static String stripTrailingSlashes(String s) {
    String out = s;
    while (out.endsWith("/") && !out.endsWith(":/") && !out.endsWith("://")) {
      out = out.substring(0, out.length() - 1);
    }
    return out;
  }
}
