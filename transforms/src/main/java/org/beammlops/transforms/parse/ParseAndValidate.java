package org.beammlops.transforms.parse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.deadletter.DeadLetters;
import org.beammlops.transforms.deadletter.ErrorType;
import org.beammlops.transforms.deadletter.RejectedRecordException;
import org.beammlops.transforms.lake.BeamInputFile;
import org.beammlops.transforms.metrics.PipelineCounters;

/**
 * Parses and validates a use case's records from files (CSV with a header, JSON lines, Parquet) or
 * Kafka messages (JSON or Avro binary) into typed lake records plus dead letters. One transform for
 * every format, so every pipeline applies the same rules; a bad record never fails the pipeline.
 */
public abstract class ParseAndValidate<InputT>
    extends PTransform<PCollection<InputT>, ParseResult> {
  protected final UseCase useCase;
  protected final String pipelineName;
  protected final int maxRecordBytes;

  private ParseAndValidate(UseCase useCase, String pipelineName, int maxRecordBytes) {
    this.useCase = useCase;
    this.pipelineName = pipelineName;
    this.maxRecordBytes = maxRecordBytes;
  }

  /** Reads whole files; {@code format} is csv, json, parquet or auto (by extension). */
  public static ParseAndValidate<FileIO.ReadableFile> files(
      UseCase useCase, Format format, String pipelineName) {
    return new Files(useCase, format, pipelineName, RecordParser.DEFAULT_MAX_RECORD_BYTES);
  }

  /** Reads Kafka messages whose value is JSON or Avro binary of the use case's schema. */
  public static ParseAndValidate<KafkaRecord<byte[], byte[]>> messages(
      UseCase useCase, InputFormat format, String pipelineName) {
    return new Messages(useCase, format, pipelineName, RecordParser.DEFAULT_MAX_RECORD_BYTES);
  }

  @Override
  public ParseResult expand(PCollection<InputT> input) {
    PCollectionTuple tuple =
        input.apply(
            "Parse",
            ParDo.of(parseFn())
                .withOutputTags(ParseResult.RECORDS, TupleTagList.of(ParseResult.DEAD_LETTERS)));
    tuple
        .get(ParseResult.RECORDS)
        .setCoder(AvroCoder.of(GenericRecord.class, useCase.lakeSchema()));
    tuple.get(ParseResult.DEAD_LETTERS).setCoder(AvroCoder.of(DeadLetter.class));
    return new ParseResult(tuple);
  }

  abstract DoFn<InputT, GenericRecord> parseFn();

  /** Emits a parsed record or its dead letter; shared by both inputs. */
  abstract static class ParseFn<InputT> extends DoFn<InputT, GenericRecord> {
    final RecordParser parser;
    final String pipelineName;
    private transient Counter readCounter;
    private transient Counter validCounter;

    ParseFn(RecordParser parser, String pipelineName) {
      this.parser = parser;
      this.pipelineName = pipelineName;
    }

    void emit(
        MultiOutputReceiver out,
        String source,
        long position,
        byte[] bytes,
        long size,
        Parse parse) {
      if (readCounter == null) {
        readCounter = PipelineCounters.counter(PipelineCounters.READ);
        validCounter = PipelineCounters.counter(PipelineCounters.VALID);
      }
      readCounter.inc();
      try {
        GenericRecord record = parse.apply();
        validCounter.inc();
        out.get(ParseResult.RECORDS).output(record);
      } catch (RejectedRecordException e) {
        out.get(ParseResult.DEAD_LETTERS)
            .output(
                DeadLetters.from(parser.useCase().name(), pipelineName, "validate")
                    .reject(source, position, bytes, size, e));
      }
    }

    void reject(
        MultiOutputReceiver out,
        String source,
        long position,
        byte[] bytes,
        long size,
        ErrorType type,
        String reason) {
      PipelineCounters.counter(PipelineCounters.READ).inc();
      out.get(ParseResult.DEAD_LETTERS)
          .output(
              DeadLetters.from(parser.useCase().name(), pipelineName, "read")
                  .reject(source, position, bytes, size, type, reason));
    }
  }

  /** One parse attempt. */
  interface Parse {
    GenericRecord apply() throws RejectedRecordException;
  }

  private static final class Files extends ParseAndValidate<FileIO.ReadableFile> {
    private final Format format;

    Files(UseCase useCase, Format format, String pipelineName, int maxRecordBytes) {
      super(useCase, pipelineName, maxRecordBytes);
      this.format = format;
    }

    @Override
    DoFn<FileIO.ReadableFile, GenericRecord> parseFn() {
      return new ParseFileFn(new RecordParser(useCase, maxRecordBytes), pipelineName, format);
    }
  }

  /** Reads one file record by record: lines for text formats, rows for Parquet. */
  static final class ParseFileFn extends ParseFn<FileIO.ReadableFile> {
    /** Bytes kept of an oversized line in its dead letter. */
    private static final int MAX_KEPT_BYTES = 16 << 20;

    private final Format format;

    ParseFileFn(RecordParser parser, String pipelineName, Format format) {
      super(parser, pipelineName);
      this.format = format;
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, MultiOutputReceiver out) {
      String source = file.getMetadata().resourceId().toString();
      InputFormat inputFormat = format.forFile(file.getMetadata().resourceId().getFilename());
      if (file.getMetadata().sizeBytes() == 0) {
        reject(out, source, 0, new byte[0], 0, ErrorType.EMPTY_FILE, "empty file " + source);
        return;
      }
      try {
        if (inputFormat == InputFormat.PARQUET) {
          readParquet(file, source, out);
        } else {
          readLines(file, source, inputFormat, out);
        }
      } catch (IOException | RuntimeException e) {
        reject(
            out,
            source,
            -1,
            new byte[0],
            file.getMetadata().sizeBytes(),
            ErrorType.UNREADABLE_SOURCE,
            "cannot read " + source + ": " + e);
      }
    }

    private void readLines(
        FileIO.ReadableFile file, String source, InputFormat inputFormat, MultiOutputReceiver out)
        throws IOException {
      try (InputStream opened = Channels.newInputStream(file.open())) {
        InputStream in;
        try {
          in = Compressions.decompressed(opened);
        } catch (Compressions.UnsupportedCompressionException e) {
          reject(
              out,
              source,
              0,
              new byte[0],
              file.getMetadata().sizeBytes(),
              ErrorType.UNREADABLE_SOURCE,
              source + " " + e.getMessage());
          return;
        }
        if (inputFormat == InputFormat.JSON && JsonStreams.isDocument(in)) {
          readJsonDocument(in, source, out);
          return;
        }
        LineReader lines = new LineReader(in, MAX_KEPT_BYTES);
        List<String> header = null;
        String headerError = null;
        byte[] line;
        boolean any = false;
        while ((line = lines.next()) != null) {
          long position = lines.lineNumber();
          long size = lines.lineLength();
          if (size == 0) {
            continue; // a blank line holds no record
          }
          byte[] bytes = line;
          boolean isHeader =
              inputFormat == InputFormat.CSV && header == null && headerError == null;
          any |= !isHeader;
          if (size > bytes.length) {
            reject(
                out,
                source,
                position,
                bytes,
                size,
                ErrorType.RECORD_TOO_LARGE,
                "line of " + size + " bytes exceeds the limit; first " + bytes.length + " kept");
            continue;
          }
          if (isHeader) {
            try {
              header = RecordParser.parseCsvHeader(bytes);
            } catch (RejectedRecordException e) {
              headerError = "bad CSV header on line " + position + ": " + e.getMessage();
              reject(out, source, position, bytes, size, e.errorType(), headerError);
            }
            continue;
          }
          if (headerError != null) {
            // without a header no line can be read; keep every one as a dead letter
            reject(out, source, position, bytes, size, ErrorType.MALFORMED_CSV, headerError);
            continue;
          }
          List<String> csvHeader = header;
          if (inputFormat == InputFormat.CSV) {
            emit(
                out,
                source,
                position,
                bytes,
                size,
                () -> parser.fromCsv(csvHeader, bytes, source, position));
          } else if (inputFormat == InputFormat.JSON) {
            emit(
                out, source, position, bytes, size, () -> parser.fromJson(bytes, source, position));
          } else {
            reject(
                out,
                source,
                position,
                bytes,
                size,
                ErrorType.UNREADABLE_SOURCE,
                "format " + inputFormat + " is not line-oriented");
          }
        }
        if (!any) {
          reject(
              out,
              source,
              0,
              new byte[0],
              0,
              ErrorType.EMPTY_FILE,
              "file has no records: " + source);
        }
      }
    }

    /**
     * Reads a JSON file that is one array of objects, or objects written over several lines, as a
     * stream: one record per object, numbered from 1. Where the JSON breaks (a file cut short), the
     * objects before are kept and the rest is one dead letter.
     */
    private void readJsonDocument(InputStream in, String source, MultiOutputReceiver out) {
      JsonStreams.Visitor visitor =
          new JsonStreams.Visitor() {
            @Override
            public void object(long index, byte[] bytes) {
              emit(
                  out,
                  source,
                  index,
                  bytes,
                  bytes.length,
                  () -> parser.fromJson(bytes, source, index));
            }

            @Override
            public void notAnObject(long index, String what) {
              reject(
                  out,
                  source,
                  index,
                  what.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                  what.length(),
                  ErrorType.MALFORMED_JSON,
                  "element " + index + " of the JSON array is " + what + ", not an object");
            }

            @Override
            public void broken(long index, String reason) {
              reject(
                  out,
                  source,
                  index,
                  new byte[0],
                  0,
                  ErrorType.MALFORMED_JSON,
                  "the JSON breaks at element "
                      + index
                      + ": "
                      + reason
                      + "; the elements before it were read, none after");
            }
          };
      if (JsonStreams.read(in, visitor) == 0) {
        reject(
            out, source, 0, new byte[0], 0, ErrorType.EMPTY_FILE, "file has no records: " + source);
      }
    }

    private void readParquet(FileIO.ReadableFile file, String source, MultiOutputReceiver out)
        throws IOException {
      try (ParquetReader<GenericRecord> reader =
          AvroParquetReader.<GenericRecord>builder(new BeamInputFile(file.getMetadata())).build()) {
        long position = 0;
        GenericRecord row;
        while ((row = reader.read()) != null) {
          position++;
          GenericRecord current = row;
          long rowPosition = position;
          byte[] bytes = RecordParser.rowBytes(current);
          emit(
              out,
              source,
              rowPosition,
              bytes,
              bytes.length,
              () -> parser.fromRow(current, source, rowPosition));
        }
      }
    }
  }

  private static final class Messages extends ParseAndValidate<KafkaRecord<byte[], byte[]>> {
    private final InputFormat format;

    Messages(UseCase useCase, InputFormat format, String pipelineName, int maxRecordBytes) {
      super(useCase, pipelineName, maxRecordBytes);
      this.format = format;
    }

    @Override
    DoFn<KafkaRecord<byte[], byte[]>, GenericRecord> parseFn() {
      return new ParseMessageFn(new RecordParser(useCase, maxRecordBytes), pipelineName, format);
    }
  }

  /** Parses one Kafka message; the content-type header, when present, overrides the format. */
  static final class ParseMessageFn extends ParseFn<KafkaRecord<byte[], byte[]>> {
    private final InputFormat format;

    ParseMessageFn(RecordParser parser, String pipelineName, InputFormat format) {
      super(parser, pipelineName);
      this.format = format;
    }

    @ProcessElement
    public void process(@Element KafkaRecord<byte[], byte[]> message, MultiOutputReceiver out) {
      String source = message.getTopic() + "-" + message.getPartition();
      long offset = message.getOffset();
      byte[] value = message.getKV().getValue() == null ? new byte[0] : message.getKV().getValue();
      InputFormat messageFormat = KafkaPayloads.formatOf(message.getHeaders(), format);
      emit(
          out,
          source,
          offset,
          value,
          value.length,
          () ->
              messageFormat == InputFormat.AVRO
                  ? parser.fromAvro(value, source, offset)
                  : parser.fromJson(value, source, offset));
    }
  }
}
