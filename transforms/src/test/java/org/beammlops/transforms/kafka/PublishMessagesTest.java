package org.beammlops.transforms.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.usecase.Topics;
import org.beammlops.transforms.deadletter.DeadLetterJson;
import org.junit.Rule;
import org.junit.Test;

/**
 * What reaches the Kafka writer of {@link PublishMessages}: only messages that fit the topic; an
 * element too large or that fails to encode is a dead letter, and the dead letter itself fits.
 */
public class PublishMessagesTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final TupleTag<KV<String, byte[]>> MESSAGES = new TupleTag<>() {};
  private static final TupleTag<DeadLetter> REJECTS = new TupleTag<>() {};

  @Test
  public void onlyMessagesThatFitReachTheWriter() {
    PublishMessages<String> sink =
        PublishMessages.<String>to("unused:9092", "flights.predictions")
            .encodedBy(
                s -> {
                  if (s.equals("boom")) {
                    throw new IllegalStateException("cannot encode " + s);
                  }
                  return KV.of(s.substring(0, Math.min(8, s.length())), bytes(s));
                })
            .rejectsAs("flights", "score", "PublishPredictions")
            .build();
    String atLimit = "f".repeat(Topics.MAX_MESSAGE_BYTES - 8);
    String overLimit = "o".repeat(Topics.MAX_MESSAGE_BYTES);
    PCollectionTuple out =
        pipeline
            .apply(Create.of(List.of("ok-1", atLimit, overLimit, "boom", "ok-2")))
            .apply(
                ParDo.of(new PublishMessages.EncodeWithinLimit<>(sink, MESSAGES, REJECTS))
                    .withOutputTags(MESSAGES, TupleTagList.of(REJECTS)));
    out.get(MESSAGES).setCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()));
    out.get(REJECTS).setCoder(AvroCoder.of(DeadLetter.class));

    PAssert.that(out.get(MESSAGES))
        .satisfies(
            messages -> {
              List<String> keys = new ArrayList<>();
              messages.forEach(m -> keys.add(m.getKey()));
              keys.sort(null);
              assertEquals(List.of("ffffffff", "ok-1", "ok-2"), keys);
              return null;
            });
    PAssert.that(out.get(REJECTS))
        .satisfies(
            rejects -> {
              List<String> types = new ArrayList<>();
              for (DeadLetter d : rejects) {
                types.add(d.getErrorType().toString());
                assertEquals("PublishPredictions", d.getStep().toString());
                assertEquals("flights.predictions", d.getSource().toString());
                assertTrue(
                    "the dead letter fits the dead-letter topic",
                    DeadLetterJson.encode(d).length <= Topics.MAX_MESSAGE_BYTES);
                if (d.getErrorType().toString().equals("MESSAGE_TOO_LARGE")) {
                  assertEquals(Topics.MAX_MESSAGE_BYTES, d.getPayloadSize());
                  assertTrue(d.getReason().toString(), d.getReason().toString().contains("bytes"));
                } else {
                  assertTrue(d.getReason().toString(), d.getReason().toString().contains("boom"));
                }
              }
              types.sort(null);
              assertEquals(List.of("MESSAGE_TOO_LARGE", "UNENCODABLE"), types);
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  @Test(expected = IllegalArgumentException.class)
  public void aLimitAboveTheTopicsIsRefused() {
    PublishMessages.<String>to("unused:9092", "t")
        .withMaxMessageBytes(Topics.MAX_MESSAGE_BYTES + 1);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
