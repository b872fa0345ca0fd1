package org.beammlops.pipelines.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.beammlops.pipelines.batch.BatchPredictCommand;
import org.beammlops.pipelines.batch.BatchPredictOptions;

/**
 * A file of flights scored by the {@code delay15} champion through batch prediction onto {@code
 * flights.predictions}: the serving core, as the score job would publish them, for tests that need
 * a stream of real predictions.
 */
public final class ChampionPredictions {
  private ChampionPredictions() {}

  /** Runs the job (DirectRunner) from {@code dir}; its counters. */
  public static Map<String, Object> publish(
      Path input, String trackingUri, String bootstrapServers, Path dir) throws Exception {
    Path job =
        Files.writeString(
            dir.resolve("job.yaml"),
            """
            task: delay15
            source: {type: file, format: json, path: "%s"}
            model:  {uri: "models:/flights-delay15@champion"}
            target: {type: kafka, topic: flights.predictions, bootstrap: "%s", deadLetterTopic: flights.dlq}
            """
                .formatted(input, bootstrapServers));
    PipelineOptionsFactory.register(BatchPredictOptions.class);
    BatchPredictOptions options =
        PipelineOptionsFactory.fromArgs(
                "--runner=DirectRunner", "--config=" + job, "--trackingUri=" + trackingUri)
            .withValidation()
            .as(BatchPredictOptions.class);
    FileSystems.setDefaultPipelineOptions(options);
    return BatchPredictCommand.run(options);
  }
}
