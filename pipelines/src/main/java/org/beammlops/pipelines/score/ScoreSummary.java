package org.beammlops.pipelines.score;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.beammlops.pipelines.common.PipelineReports;
import org.beammlops.schemas.usecase.UseCases;
import org.beammlops.transforms.lake.Lake;
import org.beammlops.transforms.lake.ParquetFiles;

/**
 * {@code ./mlops score-summary}: what a score run served, read back from what it left in the lake
 * (the prediction log and the dead letters) rather than from its counters, so that it describes
 * what was durably written and can be asked again later: predictions per model version, latency
 * percentiles (request send time to scored) and dead letters by error type.
 *
 * <p>Plain Java over the lake's Parquet files, on one thread: a summary of one run's log, not a
 * pipeline. The latency percentiles are sketched ({@link LatencyQuantiles}), so memory stays small
 * for any size of log.
 */
public final class ScoreSummary {
  private ScoreSummary() {}

  public static Map<String, Object> run(ScoreSummaryOptions options) {
    String useCase = UseCases.loadOrDefault(options.getUseCase()).name();
    Lake lake = Lake.at(options.getLake(), useCase);
    if (ParquetFiles.match(lake.useCaseDir() + "/**").isEmpty()) {
      throw new IllegalArgumentException(
          "No lake for use case " + useCase + " at " + lake + " (see --lake)");
    }
    String runId = options.getScoreRunId();
    String files =
        runId == null || runId.isBlank() ? "part-*.parquet" : "part-" + runId + "-*.parquet";
    String predictionsGlob = lake.predictionsDir() + "/date=*/" + files;
    List<?> predictionFiles = ParquetFiles.match(predictionsGlob);
    if (predictionFiles.isEmpty()) {
      throw new IllegalArgumentException(
          "No prediction log "
              + (runId == null ? "" : "of score run " + runId + " ")
              + "under "
              + lake.predictionsDir()
              + ": has ./mlops score run with --lake="
              + options.getLake()
              + (runId == null ? "" : " --runId=" + runId)
              + " and committed its files?");
    }
    LatencyQuantiles latency = new LatencyQuantiles();
    Map<String, Long> served = new TreeMap<>();
    ParquetFiles.forEachRecord(
        predictionsGlob,
        p -> {
          latency.add(((Number) p.get("latencyMillis")).doubleValue());
          served.merge(p.get("modelName") + " version " + p.get("modelVersion"), 1L, Long::sum);
        });
    Map<String, Long> deadLetters = new TreeMap<>();
    ParquetFiles.forEachRecord(
        lake.deadLetterDir() + "/date=*/" + files,
        d -> {
          if (ScorePipeline.NAME.equals(String.valueOf(d.get("pipeline")))) {
            deadLetters.merge(String.valueOf(d.get("errorType")), 1L, Long::sum);
          }
        });
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("scoreRunId", runId == null ? "all" : runId);
    report.put("predictions", latency.count());
    report.put("served", served);
    report.put("latencyMillis", latency.toMap());
    report.put("deadLetters", deadLetters.values().stream().mapToLong(Long::longValue).sum());
    report.put("deadLettersByReason", deadLetters);
    report.put("predictionFiles", predictionFiles.size());
    PipelineReports.progress(describe(report));
    return report;
  }

  /** The report for people, on stderr. */
  @SuppressWarnings("unchecked")
  static String describe(Map<String, Object> report) {
    Map<String, Object> latency = (Map<String, Object>) report.get("latencyMillis");
    StringBuilder out = new StringBuilder();
    out.append("  records scored:  ").append(report.get("predictions")).append('\n');
    ((Map<String, Long>) report.get("served"))
        .forEach(
            (model, n) ->
                out.append("  model served:    ")
                    .append(model)
                    .append(" (")
                    .append(n)
                    .append(" predictions)\n"));
    out.append("  latency (ms):    p50 ")
        .append(latency.get("p50"))
        .append(", p90 ")
        .append(latency.get("p90"))
        .append(", p99 ")
        .append(latency.get("p99"))
        .append(", max ")
        .append(latency.get("max"))
        .append("  (request sent -> scored)\n");
    out.append("  dead letters:    ").append(report.get("deadLetters"));
    Map<String, Long> reasons = (Map<String, Long>) report.get("deadLettersByReason");
    if (!reasons.isEmpty()) {
      out.append("  ").append(reasons);
    }
    return out.toString();
  }
}
