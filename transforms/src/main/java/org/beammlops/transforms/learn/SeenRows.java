package org.beammlops.transforms.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.datasketches.filters.bloomfilter.BloomFilter;
import org.apache.datasketches.filters.bloomfilter.BloomFilterBuilder;
import org.apache.datasketches.memory.Memory;
import org.beammlops.schemas.usecase.FieldSpec;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.lake.EventDates;

/**
 * The rows a model trained on, as a Bloom filter of their content (every field of the use case but
 * the id), with the first and last event date among them. The champion gate asks it which rows of a
 * new holdout the champion has seen, so that the champion is never scored on them.
 *
 * <p>Content, not ids: a record without an id of its own gets one derived from its file's name and
 * position at ingest, so the same flight has another id in a sample than in the full file it came
 * from; its content is the same. A Bloom filter errs one way only: a row the model trained on is
 * always reported seen; a row it did not is reported seen with probability {@link #FALSE_POSITIVES}
 * (it is then left out of the comparison, which costs a few rows, never fairness). About 1.2 bytes
 * a row: 2.4 MB for 2 million.
 */
public final class SeenRows {
  /** The filter's false-positive rate. */
  public static final double FALSE_POSITIVES = 0.01;

  private static final long FILTER_SEED = 0x6D6C6F7073L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BloomFilter filter;
  private final long rows;
  private final String firstDate;
  private final String lastDate;

  private SeenRows(BloomFilter filter, long rows, String firstDate, String lastDate) {
    this.filter = filter;
    this.rows = rows;
    this.firstDate = firstDate;
    this.lastDate = lastDate;
  }

  /** Rows trained on. */
  public long rows() {
    return rows;
  }

  /** The first event date among them (YYYY-MM-DD), null when the use case has no event time. */
  public String firstDate() {
    return firstDate;
  }

  /** The last event date among them, null when the use case has no event time. */
  public String lastDate() {
    return lastDate;
  }

  /** The filter, serialized; what {@link #of(byte[], long, String, String)} reads back. */
  public byte[] filterBytes() {
    return filter.toByteArray();
  }

  public String filterBase64() {
    return Base64.getEncoder().encodeToString(filterBytes());
  }

  public static SeenRows of(byte[] filter, long rows, String firstDate, String lastDate) {
    return new SeenRows(BloomFilter.heapify(Memory.wrap(filter)), rows, firstDate, lastDate);
  }

  /** As JSON: rows, first and last date, the false-positive rate and the filter in base64. */
  public ObjectNode toJson() {
    ObjectNode json = JSON.createObjectNode();
    json.put("rows", rows);
    json.put("firstDate", firstDate);
    json.put("lastDate", lastDate);
    json.put("falsePositiveRate", FALSE_POSITIVES);
    json.put("filter", filterBase64());
    return json;
  }

  /** Reads what {@link #toJson()} wrote. */
  public static SeenRows fromJson(JsonNode json) {
    return of(
        Base64.getDecoder().decode(json.path("filter").asText()),
        json.path("rows").asLong(),
        json.hasNonNull("firstDate") ? json.get("firstDate").asText() : null,
        json.hasNonNull("lastDate") ? json.get("lastDate").asText() : null);
  }

  /**
   * Whether the model may have trained on {@code record}: always true for a row it did, false for
   * most rows it did not (a row dated outside its training dates never).
   */
  public boolean mayContain(GenericRecord record, UseCase useCase, EventDates dates) {
    if (firstDate != null) {
      String day = dates.day(record);
      if (day != null && (day.compareTo(firstDate) < 0 || day.compareTo(lastDate) > 0)) {
        return false;
      }
    }
    return filter.query(fingerprint(record, useCase));
  }

  /**
   * A 64-bit fingerprint of a record's content: every field of the use case's schema but the id, in
   * schema order, so a lake record (with its provenance fields) and the parsed record it came from
   * agree.
   */
  public static long fingerprint(GenericRecord record, UseCase useCase) {
    StringBuilder content = new StringBuilder();
    for (FieldSpec field : contentFields(useCase)) {
      content.append(record.get(field.name())).append('\u0001');
    }
    return Folds.hash(content.toString(), FILTER_SEED);
  }

  private static List<FieldSpec> contentFields(UseCase useCase) {
    return useCase.fields().stream().filter(f -> f.role() != FieldSpec.Role.ID).toList();
  }

  /**
   * Combines training records into their {@link SeenRows}, as JSON ({@link #toJson()}). The filter
   * is sized once every row is in, so the accumulator holds the fingerprints (8 bytes a row) until
   * then.
   */
  public static Combine.CombineFn<GenericRecord, Accumulator, String> combineFn(UseCase useCase) {
    return new FilterFn(useCase);
  }

  /** Fingerprints and the date range seen so far. */
  public static final class Accumulator {
    long[] fingerprints = new long[64];
    int size;
    String first;
    String last;

    void add(long fingerprint) {
      if (size == fingerprints.length) {
        fingerprints = Arrays.copyOf(fingerprints, size * 2);
      }
      fingerprints[size++] = fingerprint;
    }

    void addDate(String day) {
      if (day == null) {
        return;
      }
      first = first == null || day.compareTo(first) < 0 ? day : first;
      last = last == null || day.compareTo(last) > 0 ? day : last;
    }
  }

  private static final class FilterFn
      extends Combine.CombineFn<GenericRecord, Accumulator, String> {
    private final UseCase useCase;
    private final EventDates dates;

    FilterFn(UseCase useCase) {
      this.useCase = useCase;
      this.dates = EventDates.of(useCase, UseCase.Partitioning.DAY);
    }

    @Override
    public Accumulator createAccumulator() {
      return new Accumulator();
    }

    @Override
    public Accumulator addInput(Accumulator acc, GenericRecord record) {
      acc.add(fingerprint(record, useCase));
      if (useCase.eventTime().isPresent()) {
        acc.addDate(dates.day(record));
      }
      return acc;
    }

    @Override
    public Accumulator mergeAccumulators(Iterable<Accumulator> all) {
      Accumulator merged = new Accumulator();
      for (Accumulator acc : all) {
        for (int i = 0; i < acc.size; i++) {
          merged.add(acc.fingerprints[i]);
        }
        merged.addDate(acc.first);
        merged.addDate(acc.last);
      }
      return merged;
    }

    @Override
    public String extractOutput(Accumulator acc) {
      BloomFilter filter =
          BloomFilterBuilder.createByAccuracy(Math.max(1, acc.size), FALSE_POSITIVES, FILTER_SEED);
      for (int i = 0; i < acc.size; i++) {
        filter.update(acc.fingerprints[i]);
      }
      return new SeenRows(filter, acc.size, acc.first, acc.last).toJson().toString();
    }

    @Override
    public Coder<Accumulator> getAccumulatorCoder(
        CoderRegistry registry, Coder<GenericRecord> input) {
      return new AccumulatorCoder();
    }
  }

  /** Size, fingerprints, then the two dates ("" for none). */
  private static final class AccumulatorCoder extends AtomicCoder<Accumulator> {
    @Override
    public void encode(Accumulator acc, OutputStream out) throws IOException {
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(acc.size);
      for (int i = 0; i < acc.size; i++) {
        data.writeLong(acc.fingerprints[i]);
      }
      data.writeUTF(acc.first == null ? "" : acc.first);
      data.writeUTF(acc.last == null ? "" : acc.last);
      data.flush();
    }

    @Override
    public Accumulator decode(InputStream in) throws IOException {
      DataInputStream data = new DataInputStream(in);
      Accumulator acc = new Accumulator();
      int size = data.readInt();
      acc.fingerprints = new long[Math.max(64, size)];
      for (int i = 0; i < size; i++) {
        acc.fingerprints[i] = data.readLong();
      }
      acc.size = size;
      String first = data.readUTF();
      String last = data.readUTF();
      acc.first = first.isEmpty() ? null : first;
      acc.last = last.isEmpty() ? null : last;
      return acc;
    }
  }
}
