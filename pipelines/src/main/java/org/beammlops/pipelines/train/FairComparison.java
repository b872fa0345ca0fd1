package org.beammlops.pipelines.train;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.lake.EventDates;
import org.beammlops.transforms.learn.Objective;
import org.beammlops.transforms.learn.SeenRows;

/**
 * The champion and a new model scored on the same rows, none of which either trained on: the new
 * model's holdout, less every row the champion's {@link TrainingData} says it may have seen. A
 * champion that trained on part of the new holdout (a model of January–May judged on the May
 * holdout of a model of January–April) would otherwise win on rows it has learned by heart.
 *
 * <p>Both models are scored by their exported graphs ({@link ModelScorer}) on the kept rows, so the
 * two scores are comparable; {@link #rule()} says in words which rows decided.
 */
record FairComparison(
    double candidateScore,
    double championScore,
    long rows,
    long excluded,
    String rule,
    String championDates) {

  static FairComparison of(
      Path candidateDir,
      Path championDir,
      long championVersion,
      String holdoutGlob,
      UseCase useCase,
      Task task,
      String metric) {
    Optional<TrainingData> championData = TrainingData.ofModel(championDir);
    EventDates dates = EventDates.of(useCase, UseCase.Partitioning.DAY);
    Predicate<GenericRecord> unseen =
        championData
            .<Predicate<GenericRecord>>map(
                data -> record -> !data.seen().mayContain(record, useCase, dates))
            .orElse(record -> true);
    ModelScorer.Scored champion = ModelScorer.score(championDir, holdoutGlob, task, unseen);
    ModelScorer.Scored candidate = ModelScorer.score(candidateDir, holdoutGlob, task, unseen);
    Objective objective = Objective.of(task);
    double championScore =
        champion.rows() == 0
            ? Double.NaN
            : Evaluation.of(objective, champion.predictions(), champion.targets()).get(metric);
    double candidateScore =
        candidate.rows() == 0
            ? Double.NaN
            : Evaluation.of(objective, candidate.predictions(), candidate.targets()).get(metric);
    long total = champion.rows() + champion.excluded();
    String rule =
        championData
            .map(
                data ->
                    String.format(
                        "%d of %d holdout rows: those champion v%d did not train on (%d excluded;"
                            + " its %d training rows span %s, split %s, from %s; a filter of"
                            + " their content, %.0f%% false positives)",
                        champion.rows(),
                        total,
                        championVersion,
                        champion.excluded(),
                        data.seen().rows(),
                        data.dates(),
                        data.splitDescription(),
                        data.source(),
                        SeenRows.FALSE_POSITIVES * 100))
            .orElse(
                String.format(
                    "all %d holdout rows: champion v%d does not record what it trained on (it"
                        + " was trained before models recorded it), so rows it trained on cannot"
                        + " be told apart",
                    total, championVersion));
    return new FairComparison(
        candidateScore,
        championScore,
        champion.rows(),
        champion.excluded(),
        rule,
        championData.map(TrainingData::dates).orElse("not recorded"));
  }
}
