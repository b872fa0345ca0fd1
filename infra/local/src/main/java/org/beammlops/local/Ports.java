package org.beammlops.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Loopback port checks: a port is free when a server socket can bind it, which is exactly what the
 * broker will need to do.
 */
public final class Ports {
  private Ports() {}

  /** True if a server socket can bind {@code 127.0.0.1:port} right now. */
  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** True if something accepts TCP connections on {@code 127.0.0.1:port}. */
  public static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Polls until every port is free; false if some are still taken at the deadline. */
  public static boolean awaitFree(List<Integer> ports, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (ports.stream().allMatch(Ports::isFree)) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      pause(100);
    }
  }

  /** The ports of {@code ports} that are taken, for the error message. */
  public static String taken(List<Integer> ports) {
    return ports.stream()
        .filter(p -> !isFree(p))
        .map(String::valueOf)
        .collect(Collectors.joining(", "));
  }

  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalStackException("interrupted");
    }
  }
}
