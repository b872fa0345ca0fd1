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
 * cross-validation fold. Rows are put in a canonical order, by a stable hash of their id: the
 * export's files and their contents depend on how the runner bundled the rows, which differs from
 * run to run, and a learner that visits rows in order (stochastic gradient descent) would then fit
 * another model from the same data. So every worker, and every run on the same rows, sees the same
 * rows in the same order.
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
    List<Long> keys = new ArrayList<>();
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
          String id = Folds.keyOf(record, idField);
          foldOf.add(Folds.of(id, folds, seed));
          keys.add(Folds.stableHash(id));
        });
    int[] selection = canonicalOrder(keys);
    int[] foldsInOrder = new int[selection.length];
    for (int i = 0; i < selection.length; i++) {
      foldsInOrder[i] = foldOf.get(selection[i]);
    }
    return new TrainingSet(builder.build().select(selection), foldsInOrder, skipped[0]);
  }

  /**
   * The rows' canonical order: row indices sorted by the stable hash of their id (ties, which a
   * 64-bit hash makes all but impossible, keep their read order).
   */
  static int[] canonicalOrder(List<Long> keys) {
    Integer[] order = new Integer[keys.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, java.util.Comparator.comparingLong(keys::get));
    return java.util.Arrays.stream(order).mapToInt(Integer::intValue).toArray();
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
