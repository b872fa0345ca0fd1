package org.beammlops.transforms.profile;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.util.Instantiatable;
import java.io.IOException;

/**
 * Indented JSON, one entry per line down to the entries of a feature's quantiles, histogram and
 * frequencies; anything deeper (the fields of a histogram bin) stays on one line, so a profile's 20
 * bins take 20 lines instead of 100.
 */
final class ProfilePrettyPrinter implements PrettyPrinter, Instantiatable<ProfilePrettyPrinter> {
  /** Entries nested deeper than this are written inline. */
  private static final int MAX_INDENTED_DEPTH = 4;

  private int depth;

  @Override
  public ProfilePrettyPrinter createInstance() {
    return new ProfilePrettyPrinter();
  }

  @Override
  public void writeRootValueSeparator(JsonGenerator g) throws IOException {
    g.writeRaw('\n');
  }

  @Override
  public void writeStartObject(JsonGenerator g) throws IOException {
    g.writeRaw('{');
    depth++;
  }

  @Override
  public void beforeObjectEntries(JsonGenerator g) throws IOException {
    breakLine(g);
  }

  @Override
  public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
    g.writeRaw(": ");
  }

  @Override
  public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
    g.writeRaw(',');
    breakLine(g);
  }

  @Override
  public void writeEndObject(JsonGenerator g, int entries) throws IOException {
    close(g, entries, '}');
  }

  @Override
  public void writeStartArray(JsonGenerator g) throws IOException {
    g.writeRaw('[');
    depth++;
  }

  @Override
  public void beforeArrayValues(JsonGenerator g) throws IOException {
    breakLine(g);
  }

  @Override
  public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
    g.writeRaw(',');
    breakLine(g);
  }

  @Override
  public void writeEndArray(JsonGenerator g, int values) throws IOException {
    close(g, values, ']');
  }

  private void close(JsonGenerator g, int entries, char bracket) throws IOException {
    boolean inline = depth > MAX_INDENTED_DEPTH;
    depth--;
    if (entries > 0) {
      if (inline) {
        g.writeRaw(' ');
      } else {
        indent(g, depth);
      }
    }
    g.writeRaw(bracket);
  }

  /** Before an entry: a new line at the current depth, or a space when deeper than the limit. */
  private void breakLine(JsonGenerator g) throws IOException {
    if (depth > MAX_INDENTED_DEPTH) {
      g.writeRaw(' ');
    } else {
      indent(g, depth);
    }
  }

  private static void indent(JsonGenerator g, int level) throws IOException {
    g.writeRaw('\n');
    for (int i = 0; i < level; i++) {
      g.writeRaw("  ");
    }
  }
}
