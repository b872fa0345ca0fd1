package org.beammlops.transforms.parse;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {

  private static List<String> lines(String text, int cap) throws IOException {
    LineReader reader = new LineReader(new ByteArrayInputStream(text.getBytes(UTF_8)), cap);
    List<String> lines = new ArrayList<>();
    byte[] line;
    while ((line = reader.next()) != null) {
      lines.add(new String(line, UTF_8));
      assertEquals(lines.size(), reader.lineNumber());
    }
    return lines;
  }

  @Test
  void lfAndCrlf() throws IOException {
    assertEquals(List.of("a,b", "c,d"), lines("a,b\nc,d\n", 100));
    assertEquals(List.of("a,b", "c,d"), lines("a,b\r\nc,d\r\n", 100));
    assertEquals(List.of("a", "b", "c"), lines("a\r\nb\nc\r\n", 100));
  }

  @Test
  void crInsideALineIsKept() throws IOException {
    assertEquals(List.of("a\rb"), lines("a\rb\n", 100));
  }

  @Test
  void noTrailingNewline() throws IOException {
    assertEquals(List.of("a", "b"), lines("a\nb", 100));
    assertEquals(List.of("only"), lines("only", 100));
    assertEquals(List.of("a", "b"), lines("a\r\nb", 100));
  }

  @Test
  void blankLinesAreReturnedEmptyAndCounted() throws IOException {
    LineReader reader =
        new LineReader(new ByteArrayInputStream("a\n\n\r\nb\n".getBytes(UTF_8)), 10);
    assertEquals("a", new String(reader.next(), UTF_8));
    assertEquals(1, reader.lineNumber());
    assertEquals(0, reader.next().length);
    assertEquals(2, reader.lineNumber());
    assertEquals(0, reader.lineLength());
    assertEquals(0, reader.next().length);
    assertEquals(3, reader.lineNumber());
    assertEquals(0, reader.lineLength());
    assertEquals("b", new String(reader.next(), UTF_8));
    assertEquals(4, reader.lineNumber());
    assertNull(reader.next());
    assertNull(reader.next(), "stays at the end");
  }

  @Test
  void emptyStreamHasNoLines() throws IOException {
    assertEquals(List.of(), lines("", 10));
    assertEquals(List.of(""), lines("\n", 10));
  }

  @Test
  void hugeLineKeepsOnlyTheCapButReportsFullLength() throws IOException {
    int size = 10 * 1024 * 1024;
    byte[] data = new byte[size + "\nnext\n".length()];
    java.util.Arrays.fill(data, 0, size, (byte) 'x');
    System.arraycopy("\nnext\n".getBytes(UTF_8), 0, data, size, 6);
    LineReader reader = new LineReader(new ByteArrayInputStream(data), 1000);
    byte[] first = reader.next();
    assertEquals(1000, first.length);
    assertEquals(size, reader.lineLength());
    assertEquals(1, reader.lineNumber());
    for (byte b : first) {
      assertEquals('x', b);
    }
    assertEquals("next", new String(reader.next(), UTF_8));
    assertEquals(4, reader.lineLength());
    assertEquals(2, reader.lineNumber());
    assertNull(reader.next());
  }

  @Test
  void lineAcrossManyReadsIsReassembled() throws IOException {
    // A stream that hands out at most 7 bytes per read.
    byte[] text = "first line here\nsecond\r\nthird".getBytes(UTF_8);
    InputStream trickle =
        new ByteArrayInputStream(text) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 7));
          }
        };
    LineReader reader = new LineReader(trickle, 100);
    assertEquals("first line here", new String(reader.next(), UTF_8));
    assertEquals("second", new String(reader.next(), UTF_8));
    assertEquals("third", new String(reader.next(), UTF_8));
    assertNull(reader.next());
  }

  @Test
  void invalidUtf8BytesArePreserved() throws IOException {
    byte[] data = {'a', ',', (byte) 0xC3, 0x28, ',', (byte) 0xFF, '\n', 'o', 'k', '\n'};
    LineReader reader = new LineReader(new ByteArrayInputStream(data), 100);
    assertArrayEquals(new byte[] {'a', ',', (byte) 0xC3, 0x28, ',', (byte) 0xFF}, reader.next());
    assertEquals(6, reader.lineLength());
    assertArrayEquals(new byte[] {'o', 'k'}, reader.next());
  }

  @Test
  void crlfLineExactlyAtTheCapIsNotReportedAsLonger() throws IOException {
    // "abc\r\n" with a cap of 3: the line's content is 3 bytes, all kept. Its reported length must
    // be 3 as it is for "abc\n", or a caller comparing lineLength() with the bytes returned takes
    // a complete line for a truncated one.
    LineReader lf = new LineReader(new ByteArrayInputStream("abc\n".getBytes(UTF_8)), 3);
    assertEquals("abc", new String(lf.next(), UTF_8));
    assertEquals(3, lf.lineLength());
    LineReader crlf = new LineReader(new ByteArrayInputStream("abc\r\n".getBytes(UTF_8)), 3);
    assertEquals("abc", new String(crlf.next(), UTF_8));
    assertEquals(3, crlf.lineLength());
  }
}
