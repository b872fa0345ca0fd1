package org.beammlops.benchmarks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.deadletter.RejectedRecordException;
import org.beammlops.transforms.parse.RecordEncoder;
import org.beammlops.transforms.parse.RecordParser;

/**
 * The requests of {@code bench score}: rows of a Parquet file as the JSON payloads a client sends
 * (labels left out, exactly what {@link RecordParser} reads back), cycled, each with a fresh id.
 * The id goes in at send time by joining bytes, so that producing a million requests costs no JSON
 * work on the producing thread and no memory for a million payloads.
 */
final class RequestPayloads {
  /** More distinct rows than this adds nothing to a benchmark but memory. */
  static final int MAX_ROWS = 20_000;

  private final byte[] idPrefix;
  private final List<byte[]> rests = new ArrayList<>();

  private RequestPayloads(String idField) {
    this.idPrefix = ("{\"" + idField + "\":\"").getBytes(StandardCharsets.UTF_8);
  }

  /** The valid rows of {@code parquetFile}, at most {@code maxRows}. */
  static RequestPayloads read(UseCase useCase, String parquetFile, int maxRows) throws IOException {
    String idField = useCase.idField().orElseThrow().name();
    RequestPayloads out = new RequestPayloads(idField);
    RecordParser parser = new RecordParser(useCase);
    RecordEncoder encoder = new RecordEncoder(useCase, false);
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(
                HadoopInputFile.fromPath(new Path(parquetFile), new Configuration()))
            .build()) {
      GenericRecord row;
      long position = 0;
      while (out.rests.size() < maxRows && (row = reader.read()) != null) {
        GenericRecord record;
        try {
          record = parser.fromRow(row, parquetFile, position++);
        } catch (RejectedRecordException e) {
          continue;
        }
        ObjectNode node = encoder.toJsonNode(record);
        node.remove(idField);
        // "{...}" without its opening brace, after which the id and a comma go in front.
        String json = node.toString();
        String rest = node.isEmpty() ? "}" : "," + json.substring(1);
        out.rests.add(rest.getBytes(StandardCharsets.UTF_8));
      }
    }
    if (out.rests.isEmpty()) {
      throw new IllegalArgumentException(
          parquetFile + " holds no valid " + useCase.name() + " row");
    }
    return out;
  }

  int rows() {
    return rests.size();
  }

  /** Request {@code i}: row {@code i} modulo the rows, with id {@code id}. */
  byte[] request(long i, String id) {
    byte[] rest = rests.get((int) (i % rests.size()));
    byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[idPrefix.length + idBytes.length + 1 + rest.length];
    System.arraycopy(idPrefix, 0, out, 0, idPrefix.length);
    System.arraycopy(idBytes, 0, out, idPrefix.length, idBytes.length);
    out[idPrefix.length + idBytes.length] = '"';
    System.arraycopy(rest, 0, out, idPrefix.length + idBytes.length + 1, rest.length);
    return out;
  }
}
