package org.beammlops.pipelines.common;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * How the streaming pipelines that de-duplicate by id (ingest, score) spread their de-duplication
 * state: one option, so that both agree on its meaning and default.
 */
public interface DedupOptions extends PipelineOptions {
  @Description(
      "Streaming: keys the de-duplication state is spread over. A key is handled by one worker"
          + " slot at a time, so use a few per slot. Default: 1 on the DirectRunner (which then"
          + " keeps its bundles whole instead of making one per key), 256 elsewhere.")
  @Default.InstanceFactory(StreamingKeysFactory.class)
  int getDedupKeys();

  void setDedupKeys(int value);

  /** 1 on the DirectRunner, 256 on distributed runners. */
  class StreamingKeysFactory implements DefaultValueFactory<Integer> {
    @Override
    public Integer create(PipelineOptions options) {
      return options.getRunner().getSimpleName().equals("DirectRunner") ? 1 : 256;
    }
  }
}
