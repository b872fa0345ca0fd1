package org.beammlops.local.tracking;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * File operations of the store, made safe against crashes and path tricks: whole files are written
 * to a temporary file (outside the MLflow tree, so a crash never leaves a stray file where MLflow
 * would read it) and moved into place atomically; metric lines are appended in one write, and a
 * torn last line left by a crash is cut off before the next append; every path built from a name is
 * checked to stay inside its folder.
 */
final class StoreFiles {
  private final Path tmpDir;

  StoreFiles(Path tmpDir) {
    this.tmpDir = tmpDir;
  }

  /** A fresh temporary file path on the store's file system, for uploads and atomic writes. */
  Path newTempFile(String hint) {
    try {
      Files.createDirectories(tmpDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return tmpDir.resolve(UUID.randomUUID() + "-" + hint.replaceAll("[^A-Za-z0-9._-]", "_"));
  }

  /** Writes {@code text} to {@code target} atomically: readers see the old or the new content. */
  void writeAtomically(Path target, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    Path tmp = newTempFile(target.getFileName().toString());
    try {
      try (FileChannel channel =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        channel.write(ByteBuffer.wrap(bytes));
        channel.force(true);
      }
      Files.createDirectories(target.getParent());
      moveIntoPlace(tmp, target);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw storeError(target, e);
    }
  }

  /** Moves a finished temporary file onto {@code target}, replacing it atomically. */
  static void moveIntoPlace(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      // tmp is on another file system: copy next to the target, then rename there.
      Path sibling = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID());
      Files.move(tmp, sibling);
      Files.move(
          sibling, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Appends complete lines (ending in {@code \n}) with one {@code O_APPEND} write, which the kernel
   * never interleaves with another append to the same file. With {@code repairTail}, a partial last
   * line (left by a crash) is cut first; callers do that once per file, before any other append to
   * it in this process.
   */
  static void appendLines(Path file, String lines, boolean repairTail) {
    try {
      if (repairTail) {
        cutTornTail(file);
      }
      FileChannel opened;
      try {
        opened = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (NoSuchFileException e) {
        Files.createDirectories(file.getParent());
        opened = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }
      try (FileChannel channel = opened) {
        ByteBuffer buffer = ByteBuffer.wrap(lines.getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      }
    } catch (IOException e) {
      throw storeError(file, e);
    }
  }

  private static void cutTornTail(Path file) throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = channel.size();
      if (size > 0) {
        ByteBuffer last = ByteBuffer.allocate(1);
        channel.read(last, size - 1);
        if (last.get(0) != '\n') {
          channel.truncate(lastNewlineEnd(channel, size));
        }
      }
    } catch (NoSuchFileException e) {
      // a new metric: nothing to repair
    }
  }

  private static long lastNewlineEnd(FileChannel channel, long size) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(4096);
    long end = size;
    while (end > 0) {
      long start = Math.max(0, end - buffer.capacity());
      buffer.clear().limit((int) (end - start));
      channel.read(buffer, start);
      for (int i = (int) (end - start) - 1; i >= 0; i--) {
        if (buffer.get(i) == '\n') {
          return start + i + 1;
        }
      }
      end = start;
    }
    return 0;
  }

  /** The complete lines of a file (a partial last line, from a crash, is left out). */
  static List<String> readCompleteLines(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int end = text.lastIndexOf('\n');
      if (end < 0) {
        return List.of();
      }
      return List.of(text.substring(0, end).split("\n", -1));
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw storeError(file, e);
    }
  }

  static String readString(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw storeError(file, e);
    }
  }

  /**
   * Every regular file under {@code dir}, as '/'-joined paths relative to it (keys with '/' are
   * nested folders), skipping hidden temporary files.
   */
  static List<String> relativeFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString().replace('\\', '/'))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw storeError(dir, e);
    }
  }

  /** The sub-folders of {@code dir} by name, or none if it does not exist. */
  static List<String> subdirectories(Path dir) {
    List<String> names = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return names;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
      entries.forEach(p -> names.add(p.getFileName().toString()));
    } catch (IOException e) {
      throw storeError(dir, e);
    }
    names.sort(null);
    return names;
  }

  /**
   * {@code base/relative} after checking that the normalised result lies inside {@code base}; the
   * last line of defence against {@code ../} in names.
   */
  static Path within(Path base, String relative) {
    Path resolved = base.resolve(relative).normalize();
    if (relative.isEmpty() || !resolved.startsWith(base) || resolved.equals(base)) {
      throw MlflowError.invalid("Invalid path: '" + relative + "'");
    }
    return resolved;
  }

  static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // best effort
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(StoreFiles::deleteQuietly);
    } catch (IOException e) {
      throw storeError(dir, e);
    }
  }

  /**
   * An I/O failure as an MLflow error: names the file system cannot hold (too long, a key that is
   * both a file and a folder) are the caller's mistake; anything else is internal.
   */
  static MlflowError storeError(Path path, IOException e) {
    if (e instanceof FileSystemException fse
        && fse.getReason() != null
        && (fse.getReason().contains("File name too long")
            || fse.getReason().contains("Not a directory")
            || fse.getReason().contains("Is a directory"))) {
      return MlflowError.invalid("Cannot store '" + path.getFileName() + "': " + fse.getReason());
    }
    if (e instanceof java.nio.file.FileAlreadyExistsException
        || e instanceof java.nio.file.NotDirectoryException) {
      return MlflowError.invalid(
          "Cannot store '" + path.getFileName() + "': a file and a folder would share its name");
    }
    return new MlflowError(MlflowError.INTERNAL_ERROR, "Store I/O error on " + path + ": " + e);
  }

  /** Percent-decodes (as UTF-8) until the text no longer changes, like MLflow's {@code _decode}. */
  static String decodeFully(String text) {
    String current = text;
    for (int i = 0; i < 10; i++) {
      String next = percentDecode(current);
      if (next.equals(current)) {
        return current;
      }
      current = next;
    }
    return current;
  }

  /** Percent-decoding for URL paths and query values ('+' stays '+' unless {@code plus}). */
  static String percentDecode(String text) {
    return percentDecode(text, false);
  }

  static String percentDecode(String text, boolean plusIsSpace) {
    if (text.indexOf('%') < 0 && !(plusIsSpace && text.indexOf('+') >= 0)) {
      return text;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%' && i + 2 < text.length()) {
        int hi = Character.digit(text.charAt(i + 1), 16);
        int lo = Character.digit(text.charAt(i + 2), 16);
        if (hi >= 0 && lo >= 0) {
          out.write((hi << 4) + lo);
          i += 2;
          continue;
        }
      }
      if (c == '+' && plusIsSpace) {
        out.write(' ');
        continue;
      }
      byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
      if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
        bytes = text.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
        i++;
      }
      out.write(bytes, 0, bytes.length);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
