package org.beammlops.transforms.parse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a byte stream into lines without decoding it, so that bytes that are not UTF-8 reach the
 * parser (and the dead letter) unchanged. A line longer than the cap is read to its end but only
 * its first {@code maxKeptBytes} are kept, so a huge binary blob cannot exhaust memory.
 */
public final class LineReader {
  private final InputStream in;
  private final int maxKeptBytes;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
  private final byte[] buffer = new byte[1 << 16];
  private int start;
  private int end;
  private long lineNumber;
  private long lineLength;
  private boolean eof;
  private byte lastByte;

  public LineReader(InputStream in, int maxKeptBytes) {
    this.in = in;
    this.maxKeptBytes = maxKeptBytes;
  }

  /** The next line without its terminator ({@code \n} or {@code \r\n}), or null at the end. */
  public byte[] next() throws IOException {
    line.reset();
    lineLength = 0;
    lastByte = 0;
    while (true) {
      if (start == end) {
        if (eof) {
          return finish(lineLength > 0);
        }
        end = in.read(buffer);
        start = 0;
        if (end <= 0) {
          end = 0;
          eof = true;
          continue;
        }
      }
      int newline = -1;
      for (int i = start; i < end; i++) {
        if (buffer[i] == '\n') {
          newline = i;
          break;
        }
      }
      int stop = newline < 0 ? end : newline;
      keep(start, stop - start);
      start = newline < 0 ? end : newline + 1;
      if (newline >= 0) {
        return finish(true);
      }
    }
  }

  private void keep(int from, int length) {
    if (length > 0) {
      lastByte = buffer[from + length - 1];
    }
    lineLength += length;
    int room = maxKeptBytes - line.size();
    if (room > 0) {
      line.write(buffer, from, Math.min(room, length));
    }
  }

  private byte[] finish(boolean hasLine) {
    if (!hasLine) {
      return null;
    }
    lineNumber++;
    byte[] bytes = line.toByteArray();
    if (lineLength > 0 && lastByte == '\r') {
      lineLength--; // a CRLF terminator: the \r is not content, kept or not
      if (bytes.length > lineLength) {
        return java.util.Arrays.copyOf(bytes, (int) lineLength);
      }
    }
    return bytes;
  }

  /** 1-based number of the line last returned. */
  public long lineNumber() {
    return lineNumber;
  }

  /** Full length of the line last returned, including any bytes beyond the cap. */
  public long lineLength() {
    return lineLength;
  }
}
