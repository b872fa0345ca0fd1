package org.beammlops.pipelines.common;

import java.util.Set;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Defaults that differ per runner, applied to a command's parsed options for every option the user
 * did not give. The runners module supplies them, so that pipelines stay free of runner-specific
 * code.
 */
@FunctionalInterface
public interface OptionPresets {
  /** No presets: Beam's own defaults. */
  OptionPresets NONE = (options, given) -> {};

  /** Sets defaults on {@code options}; {@code given} names the options on the command line. */
  void apply(PipelineOptions options, Set<String> given);
}
