package org.beammlops.pipelines.replay;

import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.beammlops.pipelines.common.Commands;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.files.MatchInputFiles;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.beammlops.transforms.parse.ParseAndValidate;
import org.beammlops.transforms.parse.ParseResult;

/**
 * Replay, the stream generator: a data set → parse and validate → one event-time ordered sequence →
 * {@code <uc>.requests} (labels removed) at a rate, and each record's labels to {@code
 * <uc>.feedback} after the feedback delay of event time. Drift and malformed messages can be mixed
 * in to exercise the consumers.
 *
 * <pre>
 * files ─ ParseAndValidate ─ OneSequence (GroupByKey) ─ PublishInEventTimeOrder ─▶ requests, feedback
 * </pre>
 */
public final class ReplayPipeline {
  public static final String NAME = "replay";

  private ReplayPipeline() {}

  public static void main(String[] args) {
    Commands.runPipeline(args, ReplayOptions.class, ReplayPipeline::run);
  }

  public static Map<String, Object> run(ReplayOptions options) {
    UseCase useCase = UseCases.loadOrDefault(options.getUseCase());
    ReplayConfig config = new ReplayConfig(options, useCase);
    Commands.checkInputMatches(options.getInput());
    PipelineReports.progress(
        "replay: "
            + options.getInput()
            + " -> "
            + config.requestsTopic
            + ", "
            + config.feedbackTopic);
    return PipelineReports.runToCompletion(
        build(options, useCase, config),
        PipelineCounters.READ,
        PipelineCounters.VALID,
        PipelineCounters.DEAD_LETTER,
        PublishInEventTimeOrder.PUBLISHED,
        PublishInEventTimeOrder.FEEDBACK,
        PublishInEventTimeOrder.DRIFTED,
        PublishInEventTimeOrder.BAD,
        PublishInEventTimeOrder.NOISY);
  }

  static Pipeline build(ReplayOptions options, UseCase useCase, ReplayConfig config) {
    Pipeline pipeline = Pipeline.create(options);
    ParseResult parsed =
        pipeline
            .apply("MatchInput", MatchInputFiles.of(options.getInput()))
            .apply("OpenFiles", FileIO.readMatches())
            .apply("ParseAndValidate", ParseAndValidate.files(useCase, options.getFormat(), NAME));
    parsed
        .records()
        .apply("OneSequence", WithKeys.of(0))
        .setCoder(
            KvCoder.of(VarIntCoder.of(), AvroCoder.of(GenericRecord.class, useCase.lakeSchema())))
        .apply("GroupAll", GroupByKey.create())
        .apply("PublishInEventTimeOrder", ParDo.of(new PublishInEventTimeOrder(config)));
    return pipeline;
  }
}
