package org.beammlops.transforms.tracking;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on 127.0.0.1 for the client's tests: answers each request with what the {@link
 * Handler} says and records what it received.
 */
final class LocalHttpServer implements AutoCloseable {

  /** What to answer; {@code null} drops the connection without an answer. */
  record Answer(int status, String body) {
    static Answer json(int status, String body) {
      return new Answer(status, body);
    }
  }

  /** A request as received. */
  record Received(String method, String path, String query, String body, String authorization) {}

  @FunctionalInterface
  interface Handler {
    Answer handle(Received request, int countForPath);
  }

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

  LocalHttpServer(Handler handler) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            Received r = receive(exchange);
            received.add(r);
            int n = counts.computeIfAbsent(r.path(), k -> new AtomicInteger()).incrementAndGet();
            Answer answer = handler.handle(r, n);
            if (answer == null) {
              return; // closing without an answer drops the connection
            }
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
              try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
              }
            }
          }
        });
    server.start();
  }

  private static Received receive(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    return new Received(
        exchange.getRequestMethod(),
        exchange.getRequestURI().getPath(),
        exchange.getRequestURI().getRawQuery(),
        body,
        exchange.getRequestHeaders().getFirst("Authorization"));
  }

  String uri() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  int count(String path) {
    AtomicInteger n = counts.get(path);
    return n == null ? 0 : n.get();
  }

  List<Received> received() {
    return received;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
