package org.beammlops.transforms.parse;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * JSON files that are not JSON lines: one array of objects (a common export), or objects written
 * over several lines. They are read as a stream with Jackson's parser, an object at a time, so a
 * file of any size needs the memory of one record.
 */
final class JsonStreams {
  /** Bytes looked at to tell a document from JSON lines. */
  private static final int SNIFF_BYTES = 1 << 16;

  private JsonStreams() {}

  /** What a read finds, in order. */
  interface Visitor {
    /** The {@code index}-th element (from 1) is an object; {@code bytes} is its JSON. */
    void object(long index, byte[] bytes);

    /** The {@code index}-th element is a scalar or an array, described by {@code what}. */
    void notAnObject(long index, String what);

    /** The JSON breaks at element {@code index}; nothing after it can be read. */
    void broken(long index, String reason);
  }

  /**
   * True when the stream is a JSON document rather than JSON lines: its first character (after a
   * byte order mark and white space) opens an array, or its first line is only an opening brace.
   * The stream is left unread.
   */
  static boolean isDocument(InputStream in) throws IOException {
    if (!(in instanceof BufferedInputStream buffered)) {
      return false;
    }
    byte[] head = Compressions.peek(buffered, SNIFF_BYTES);
    int i = 0;
    if (head.length >= 3 && (head[0] & 0xff) == 0xef && (head[1] & 0xff) == 0xbb) {
      i = 3; // UTF-8 byte order mark
    }
    while (i < head.length && Character.isWhitespace(head[i])) {
      i++;
    }
    if (i >= head.length) {
      return false;
    }
    if (head[i] == '[') {
      return true;
    }
    if (head[i] != '{') {
      return false;
    }
    for (int j = i + 1; j < head.length && head[j] != '\n'; j++) {
      if (!Character.isWhitespace(head[j])) {
        return false;
      }
    }
    return true;
  }

  /** Reads every element, telling {@code visitor}; returns how many elements there were. */
  static long read(InputStream in, Visitor visitor) {
    long index = 0;
    boolean inElement = false;
    try (JsonParser parser = JsonObjects.FACTORY.createParser(in)) {
      JsonToken token = parser.nextToken();
      boolean array = token == JsonToken.START_ARRAY;
      if (array) {
        token = parser.nextToken();
      }
      while (token != null) {
        if (array && token == JsonToken.END_ARRAY) {
          if (parser.nextToken() != null) {
            visitor.broken(index + 1, "there is more after the end of the array");
            index++;
          }
          break;
        }
        index++;
        inElement = true;
        if (token == JsonToken.START_OBJECT) {
          ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
          try (JsonGenerator generator = JsonObjects.FACTORY.createGenerator(bytes)) {
            generator.copyCurrentStructure(parser);
          }
          visitor.object(index, bytes.toByteArray());
        } else {
          String what =
              token == JsonToken.START_ARRAY ? "an array" : "the value " + parser.getText();
          parser.skipChildren();
          visitor.notAnObject(index, what);
        }
        inElement = false;
        token = parser.nextToken();
      }
    } catch (JsonProcessingException e) {
      index += inElement ? 0 : 1;
      visitor.broken(index, e.getOriginalMessage() + " at " + location(e));
    } catch (IOException e) {
      index += inElement ? 0 : 1;
      visitor.broken(index, e.toString());
    }
    return index;
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null
        ? "an unknown place"
        : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }
}
