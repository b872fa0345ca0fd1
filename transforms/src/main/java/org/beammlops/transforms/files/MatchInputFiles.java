package org.beammlops.transforms.files;

import java.io.IOException;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MetadataCoderV2;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of an input pattern, as {@code FileIO.match()} gives them but expanded by {@link
 * InputFiles}, so that a symbolic link loop under the input is skipped (counted as {@code
 * skippedPaths} and logged) instead of hanging the pipeline. Spread over workers afterwards.
 */
public final class MatchInputFiles extends PTransform<PBegin, PCollection<MatchResult.Metadata>> {
  private static final Logger LOG = LoggerFactory.getLogger(MatchInputFiles.class);

  /** The counter of paths the walk skipped. */
  public static final String SKIPPED = "skippedPaths";

  private final String pattern;

  private MatchInputFiles(String pattern) {
    this.pattern = pattern;
  }

  public static MatchInputFiles of(String pattern) {
    return new MatchInputFiles(pattern);
  }

  @Override
  public PCollection<MatchResult.Metadata> expand(PBegin input) {
    return input
        .apply("Pattern", Create.of(pattern))
        .apply("Expand", ParDo.of(new ExpandFn()))
        .setCoder(MetadataCoderV2.of())
        .apply("Spread", Reshuffle.viaRandomKey());
  }

  private static final class ExpandFn extends DoFn<String, MatchResult.Metadata> {
    @ProcessElement
    public void process(@Element String pattern, OutputReceiver<MatchResult.Metadata> out)
        throws IOException {
      InputFiles.Matched matched = InputFiles.match(pattern);
      for (String skipped : matched.skipped()) {
        LOG.warn("Skipped {}", skipped);
        PipelineCounters.counter(SKIPPED).inc();
      }
      matched.files().forEach(out::output);
    }
  }
}
