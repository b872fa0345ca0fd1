package org.beammlops.pipelines.common;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options every beam-mlops pipeline shares: which use case, where the lake and broker are. */
public interface MlopsOptions extends PipelineOptions {

  @Description(
      "Use case name (bundled, or a schema + config on MLOPS_USECASE_PATH). Default: $MLOPS_USECASE,"
          + " else the only use case there is; score and batch-predict take it from the model.")
  String getUseCase();

  void setUseCase(String value);

  @Description("Root of the Parquet lake (any Beam file system: a local path, gs://, s3://).")
  @Default.InstanceFactory(LakeFactory.class)
  String getLake();

  void setLake(String value);

  @Description("Kafka bootstrap servers; default $MLOPS_KAFKA_BOOTSTRAP or 127.0.0.1:9092.")
  @Default.InstanceFactory(BootstrapFactory.class)
  String getBootstrapServers();

  void setBootstrapServers(String value);

  @Description("Id of this run, used in output file names; generated when not given.")
  @Default.InstanceFactory(RunIdFactory.class)
  String getRunId();

  void setRunId(String value);

  /** {@code $MLOPS_HOME/lake}, the local stack's lake. */
  class LakeFactory implements DefaultValueFactory<String> {
    @Override
    public String create(PipelineOptions options) {
      String home = System.getenv("MLOPS_HOME");
      return (home == null || home.isBlank() ? ".mlops" : home) + "/lake";
    }
  }

  /** The broker that {@code ./mlops local up} started, unless told otherwise. */
  class BootstrapFactory implements DefaultValueFactory<String> {
    @Override
    public String create(PipelineOptions options) {
      String env = System.getenv("MLOPS_KAFKA_BOOTSTRAP");
      return env == null || env.isBlank() ? "127.0.0.1:9092" : env;
    }
  }

  /** A sortable, unique run id such as {@code 20260101T120000-1a2b3c}. */
  class RunIdFactory implements DefaultValueFactory<String> {
    @Override
    public String create(PipelineOptions options) {
      return LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss"))
          + "-"
          + UUID.randomUUID().toString().substring(0, 6);
    }
  }
}
