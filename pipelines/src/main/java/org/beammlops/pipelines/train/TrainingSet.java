package org.beammlops.pipelines.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.transforms.features.FeatureSpec;
import org.beammlops.transforms.lake.ParquetFiles;
import org.beammlops.transforms.learn.Folds;
import org.beammlops.transforms.learn.TrainingMatrix;

/**
 * An exported training or holdout set, vectorized with the run's feature spec, with each row's
 * cross-validation fold. Rows come in file-path then file order, so every worker that loads the
 * same files sees the same rows in the same order; results computed on different workers line up.
 *
 * <p>Workers of one JVM share a loaded set: the (learner, fold) fits of a run all read the same
 * files, and loading and vectorizing them once per JVM is what keeps memory and time in check.
 */
final class TrainingSet {
  private static final int CACHED_SETS = 2;
  private static final Map<String, TrainingSet> CACHE = new LinkedHashMap<>(4, 0.75f, true);

  final TrainingMatrix rows;
  final int[] folds;
  final long skippedUnlabelled;

  private TrainingSet(TrainingMatrix rows, int[] folds, long skippedUnlabelled) {
    this.rows = rows;
    this.folds = folds;
    this.skippedUnlabelled = skippedUnlabelled;
  }

  /** The set under {@code glob}, loaded once per JVM for a given spec, task and folds. */
  static TrainingSet load(
      String glob, FeatureSpec spec, Task task, String idField, int folds, long seed) {
    String key =
        glob + '|' + spec.toJson().hashCode() + '|' + task.name() + '|' + folds + '|' + seed;
    synchronized (CACHE) {
      TrainingSet cached = CACHE.get(key);
      if (cached != null) {
        return cached;
      }
      TrainingSet loaded = read(glob, spec, task, idField, folds, seed);
      CACHE.put(key, loaded);
      while (CACHE.size() > CACHED_SETS) {
        CACHE.remove(CACHE.keySet().iterator().next());
      }
      return loaded;
    }
  }

  private static TrainingSet read(
      String glob, FeatureSpec spec, Task task, String idField, int folds, long seed) {
    TrainingMatrix.Builder builder = TrainingMatrix.builder(spec.width());
    List<Integer> foldOf = new ArrayList<>();
    long[] skipped = {0};
    ParquetFiles.forEachRecord(
        glob,
        record -> {
          Double target = target(record, task);
          if (target == null) {
            skipped[0]++;
            return;
          }
          builder.add(spec.vectorize(record), target);
          foldOf.add(Folds.of(Folds.keyOf(record, idField), folds, seed));
        });
    return new TrainingSet(
        builder.build(), foldOf.stream().mapToInt(Integer::intValue).toArray(), skipped[0]);
  }

  /** The task's target of a record, null when its label is missing. */
  static Double target(GenericRecord record, Task task) {
    Object label = record.get(task.label());
    return task.target(label);
  }

  /** Indexes of the rows in {@code fold} ({@code in}) or in every other fold. */
  int[] rowsOf(int fold, boolean in) {
    int count = 0;
    for (int f : folds) {
      if ((f == fold) == in) {
        count++;
      }
    }
    int[] out = new int[count];
    int i = 0;
    for (int r = 0; r < folds.length; r++) {
      if ((folds[r] == fold) == in) {
        out[i++] = r;
      }
    }
    return out;
  }
}
