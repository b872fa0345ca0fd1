package org.beammlops.transforms.tracking;

/** An HTTP answer outside 2xx/3xx from the artifact or REST layer, before classification. */
final class HttpStatusException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String body;

  HttpStatusException(int status, String body) {
    super("HTTP " + status);
    this.status = status;
    this.body = body == null ? "" : body;
  }

  int status() {
    return status;
  }

  String body() {
    return body;
  }
}
