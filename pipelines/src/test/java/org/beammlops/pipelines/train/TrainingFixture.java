package org.beammlops.pipelines.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** Options for training runs in tests: small learners, a local tracking server, a temp lake. */
public final class TrainingFixture {
  public static final String SAMPLE =
      Path.of("..", "data", "flights-sample.parquet").toAbsolutePath().toString();

  /** Learners small enough for a test, big enough to beat the baseline on the sample. */
  public static final String SMALL_LEARNERS =
      "--learnerParams=gbt.rounds=30,gbt.max_depth=5,rf.num_parallel_tree=20,rf.max_depth=6,linear.epochs=2";

  private TrainingFixture() {}

  public static String[] direct() {
    return new String[] {
      "--runner=DirectRunner",
      "--enforceImmutability=false",
      "--enforceEncodability=false",
      "--targetParallelism=2"
    };
  }

  public static String[] flink() {
    return new String[] {"--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2"};
  }

  public static TrainOptions options(
      String trackingUri, Path lake, String[] runner, String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(runner));
    all.add("--trackingUri=" + trackingUri);
    all.add("--lake=" + lake);
    all.add("--folds=3");
    all.add("--trials=2");
    all.add(SMALL_LEARNERS);
    all.addAll(Arrays.asList(args));
    // A later --name=value replaces an earlier one, so tests can override the defaults above.
    java.util.Map<String, String> byName = new java.util.LinkedHashMap<>();
    for (String arg : all) {
      int eq = arg.indexOf('=');
      byName.put(eq < 0 ? arg : arg.substring(0, eq), arg);
    }
    all = new ArrayList<>(byName.values());
    PipelineOptionsFactory.register(TrainOptions.class);
    TrainOptions options =
        PipelineOptionsFactory.fromArgs(all.toArray(String[]::new))
            .withValidation()
            .as(TrainOptions.class);
    FileSystems.setDefaultPipelineOptions(options);
    return options;
  }
}
