package org.beammlops.local.tracking;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import org.mlflow.api.proto.Service.Experiment;
import org.mlflow.api.proto.Service.ExperimentTag;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.RunData;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.api.proto.Service.RunInputs;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.api.proto.Service.ViewType;

/**
 * Experiments and runs in MLflow's file-store layout ({@code mlflow/store/tracking/file_store.py}):
 *
 * <pre>
 * mlruns/&lt;experiment id&gt;/meta.yaml          experiment_id, name, artifact_location, lifecycle_stage,
 *                                          creation_time, last_update_time
 * mlruns/&lt;experiment id&gt;/tags/&lt;key&gt;         experiment tag values
 * mlruns/&lt;experiment id&gt;/&lt;run id&gt;/meta.yaml run info (status as MLflow's RunStatus number)
 *        .../&lt;run id&gt;/metrics/&lt;key&gt;         lines "timestamp value step"
 *        .../&lt;run id&gt;/params/&lt;key&gt;, tags/&lt;key&gt;, artifacts/
 * mlruns/.trash/&lt;experiment id&gt;/           deleted experiments (with their runs)
 * </pre>
 *
 * Safe for many threads of one server: each run has a lock for its files, experiment moves (delete,
 * restore) exclude everything else, and whole files are replaced atomically. New experiments and
 * runs are assembled in a temporary folder and moved into place in one rename, so a crash never
 * leaves half of one behind.
 */
final class TrackingStore {
  static final String DEFAULT_EXPERIMENT_ID = "0";
  static final String DEFAULT_EXPERIMENT_NAME = "Default";
  static final String TRASH = ".trash";
  static final String ARTIFACTS_SCHEME = "mlflow-artifacts:";
  static final String RUN_NAME_TAG = "mlflow.runName";
  static final String ACTIVE = "active";
  static final String DELETED = "deleted";
  static final int SEARCH_MAX_RESULTS_THRESHOLD = 50000;

  private final Path mlruns;
  private final Path trash;
  private final StoreFiles files;
  private final ReentrantReadWriteLock experimentLock = new ReentrantReadWriteLock();
  private final ConcurrentHashMap<String, ReentrantLock> runLocks = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Path> runDirs = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Path, CachedMeta> metaCache = new ConcurrentHashMap<>();
  // Metric files whose tail was checked for a torn line since this store opened.
  private final java.util.Set<Path> checkedTails = ConcurrentHashMap.newKeySet();

  private record CachedMeta(Object fileKey, long modified, long size, Map<String, Object> meta) {}

  /** Where a run lives: its experiment folder's id and its own folder. */
  record RunLocation(String experimentId, Path dir) {}

  /** One page of search results. */
  record Page<T>(List<T> items, String nextPageToken) {}

  TrackingStore(Path mlruns, StoreFiles files) {
    this.mlruns = mlruns;
    this.trash = mlruns.resolve(TRASH);
    this.files = files;
    try {
      Files.createDirectories(mlruns);
      Files.createDirectories(trash);
      Files.createDirectories(mlruns.resolve(ModelRegistryStore.MODELS_FOLDER));
    } catch (IOException e) {
      throw StoreFiles.storeError(mlruns, e);
    }
    if (experimentDir(DEFAULT_EXPERIMENT_ID, ViewType.ALL) == null) {
      createExperimentWithId(DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, null, List.of());
    }
  }

  Path mlruns() {
    return mlruns;
  }

  // ---------------------------------------------------------------- experiments

  /** The folder of an experiment in the given view, or null. */
  Path experimentDir(String experimentId, ViewType view) {
    Validation.experimentId(experimentId);
    if (view != ViewType.DELETED_ONLY) {
      Path active = mlruns.resolve(experimentId);
      if (Files.isRegularFile(active.resolve(MetaYaml.FILE))) {
        return active;
      }
    }
    if (view != ViewType.ACTIVE_ONLY) {
      Path deleted = trash.resolve(experimentId);
      if (Files.isRegularFile(deleted.resolve(MetaYaml.FILE))) {
        return deleted;
      }
    }
    return null;
  }

  private Path requireExperimentDir(String experimentId) {
    Path dir = experimentDir(experimentId, ViewType.ALL);
    if (dir == null) {
      throw MlflowError.notFound("Could not find experiment with ID " + experimentId);
    }
    return dir;
  }

  Experiment getExperiment(String experimentId) {
    String id =
        experimentId == null || experimentId.isEmpty() ? DEFAULT_EXPERIMENT_ID : experimentId;
    Experiment experiment = readExperiment(requireExperimentDir(id));
    if (experiment == null) {
      throw MlflowError.notFound("Experiment '" + id + "' does not exist.");
    }
    return experiment;
  }

  Optional<Experiment> getExperimentByName(String name) {
    return allExperiments(ViewType.ALL).stream().filter(e -> e.getName().equals(name)).findFirst();
  }

  String createExperiment(String name, String artifactLocation, List<ExperimentTag> tags) {
    Validation.experimentName(name);
    if (artifactLocation != null && artifactLocation.startsWith("runs:")) {
      throw MlflowError.invalid(
          "Artifact location cannot be a runs:/ URI. Given: '" + artifactLocation + "'");
    }
    for (ExperimentTag tag : tags) {
      validateExperimentTag(tag.getKey(), tag.getValue());
    }
    experimentLock.writeLock().lock();
    try {
      checkNameFree(name);
      String id;
      do {
        id =
            String.valueOf(
                ThreadLocalRandom.current()
                    .nextLong(100_000_000_000_000_000L, 999_999_999_999_999_999L));
      } while (Files.exists(mlruns.resolve(id)) || Files.exists(trash.resolve(id)));
      createExperimentWithId(id, name, artifactLocation, tags);
      return id;
    } finally {
      experimentLock.writeLock().unlock();
    }
  }

  private void checkNameFree(String name) {
    Optional<Experiment> existing = getExperimentByName(name);
    if (existing.isPresent()) {
      if (existing.get().getLifecycleStage().equals(DELETED)) {
        throw MlflowError.exists(
            "Experiment '"
                + name
                + "' already exists in deleted state. You can restore the experiment, or"
                + " permanently delete the experiment from the .trash folder (under tracking"
                + " server's root folder) in order to use this experiment name again.");
      }
      throw MlflowError.exists("Experiment '" + name + "' already exists.");
    }
  }

  private void createExperimentWithId(
      String id, String name, String artifactLocation, List<ExperimentTag> tags) {
    long now = System.currentTimeMillis();
    String location =
        artifactLocation == null || artifactLocation.isEmpty()
            ? ARTIFACTS_SCHEME + "/" + id
            : artifactLocation;
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("artifact_location", location);
    meta.put("creation_time", now);
    meta.put("experiment_id", id);
    meta.put("last_update_time", now);
    meta.put("lifecycle_stage", ACTIVE);
    meta.put("name", name);
    Path staging = files.newTempFile("experiment-" + id);
    try {
      Files.createDirectories(staging);
      Files.writeString(staging.resolve(MetaYaml.FILE), MetaYaml.dump(meta));
      for (ExperimentTag tag : tags) {
        Path tagFile = StoreFiles.within(staging.resolve("tags"), tag.getKey());
        Files.createDirectories(tagFile.getParent());
        Files.writeString(tagFile, tag.getValue());
      }
      Files.move(staging, mlruns.resolve(id), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      StoreFiles.deleteTree(staging);
      throw StoreFiles.storeError(mlruns.resolve(id), e);
    }
  }

  void renameExperiment(String experimentId, String newName) {
    Validation.experimentName(newName);
    experimentLock.writeLock().lock();
    try {
      Path dir = requireExperimentDir(experimentId);
      Experiment experiment = readExperiment(dir);
      checkNameFree(newName);
      if (!experiment.getLifecycleStage().equals(ACTIVE)) {
        throw MlflowError.invalid(
            "Cannot rename experiment in non-active lifecycle stage. Current stage: "
                + experiment.getLifecycleStage());
      }
      writeExperimentMeta(
          dir,
          experiment.toBuilder()
              .setName(newName)
              .setLastUpdateTime(System.currentTimeMillis())
              .build());
    } finally {
      experimentLock.writeLock().unlock();
    }
  }

  void deleteExperiment(String experimentId) {
    if (DEFAULT_EXPERIMENT_ID.equals(experimentId)) {
      throw MlflowError.invalid(
          "Cannot delete the default experiment '0'. This is an internally reserved experiment.");
    }
    experimentLock.writeLock().lock();
    try {
      Path dir = experimentDir(experimentId, ViewType.ACTIVE_ONLY);
      if (dir == null) {
        throw MlflowError.notFound("Could not find experiment with ID " + experimentId);
      }
      long now = System.currentTimeMillis();
      for (Path runDir : runDirsOf(dir)) {
        Map<String, Object> meta = readMeta(runDir);
        if (meta != null && ACTIVE.equals(MetaYaml.string(meta, "lifecycle_stage"))) {
          writeRunMeta(runDir, withLifecycle(meta, DELETED), now);
        }
      }
      Experiment experiment = readExperiment(dir);
      writeExperimentMeta(
          dir, experiment.toBuilder().setLifecycleStage(DELETED).setLastUpdateTime(now).build());
      moveExperiment(dir, trash.resolve(experimentId));
    } finally {
      experimentLock.writeLock().unlock();
    }
  }

  void restoreExperiment(String experimentId) {
    experimentLock.writeLock().lock();
    try {
      Path dir = experimentDir(experimentId, ViewType.DELETED_ONLY);
      if (dir == null) {
        throw MlflowError.notFound("Could not find deleted experiment with ID " + experimentId);
      }
      if (experimentDir(experimentId, ViewType.ACTIVE_ONLY) != null) {
        throw MlflowError.exists(
            "Cannot restore experiment with ID "
                + experimentId
                + ". An experiment with same ID already exists.");
      }
      Path target = mlruns.resolve(experimentId);
      moveExperiment(dir, target);
      for (Path runDir : runDirsOf(target)) {
        Map<String, Object> meta = readMeta(runDir);
        if (meta != null && DELETED.equals(MetaYaml.string(meta, "lifecycle_stage"))) {
          writeRunMeta(runDir, withLifecycle(meta, ACTIVE), null);
        }
      }
      Experiment experiment = readExperiment(target);
      writeExperimentMeta(
          target,
          experiment.toBuilder()
              .setLifecycleStage(ACTIVE)
              .setLastUpdateTime(System.currentTimeMillis())
              .build());
    } finally {
      experimentLock.writeLock().unlock();
    }
  }

  private void moveExperiment(Path from, Path to) {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw StoreFiles.storeError(to, e);
    }
    runDirs.clear();
    metaCache.clear();
    checkedTails.clear();
  }

  void setExperimentTag(String experimentId, String key, String value) {
    validateExperimentTag(key, value);
    experimentLock.readLock().lock();
    try {
      Experiment experiment = getExperiment(experimentId);
      if (!experiment.getLifecycleStage().equals(ACTIVE)) {
        throw MlflowError.invalid(
            "The experiment "
                + experimentId
                + " must be in the 'active' lifecycle_stage to set tags");
      }
      Path dir = requireExperimentDir(experimentId);
      files.writeAtomically(StoreFiles.within(dir.resolve("tags"), key), value);
    } finally {
      experimentLock.readLock().unlock();
    }
  }

  private static void validateExperimentTag(String key, String value) {
    Validation.tagName(key);
    Validation.lengthLimit("Tag value", Validation.MAX_EXPERIMENT_TAG_VAL_LENGTH, value);
  }

  Page<Experiment> searchExperiments(
      ViewType view, long maxResults, String filter, List<String> orderBy, String pageToken) {
    if (maxResults < 1) {
      throw MlflowError.invalid(
          "Invalid value "
              + maxResults
              + " for parameter 'max_results' supplied. It must be a positive integer");
    }
    if (maxResults > SEARCH_MAX_RESULTS_THRESHOLD) {
      throw MlflowError.invalid(
          "Invalid value "
              + maxResults
              + " for parameter 'max_results' supplied. It must be at most "
              + SEARCH_MAX_RESULTS_THRESHOLD);
    }
    Predicate<Search.Searchable> matcher = Search.filter(filter, Search.Schema.EXPERIMENTS);
    List<String> orders =
        orderBy.isEmpty() ? List.of("creation_time DESC", "experiment_id ASC") : orderBy;
    Comparator<Search.Searchable> comparator = null;
    boolean hasIdOrder = false;
    for (String clause : orders) {
      Search.Order order = Search.parseOrder(clause, Search.Schema.EXPERIMENTS);
      if (!order.type().equals("attribute")) {
        throw MlflowError.invalid("Invalid order_by entity: " + order.type());
      }
      hasIdOrder |= order.key().equals("experiment_id");
      Comparator<Search.Searchable> next = Search.attributeComparator(order);
      comparator = comparator == null ? next : comparator.thenComparing(next);
    }
    if (!hasIdOrder) {
      comparator =
          comparator.thenComparing(
              Search.attributeComparator(new Search.Order("attribute", "experiment_id", false)));
    }
    List<ExperimentView> matching =
        allExperiments(view).stream().map(ExperimentView::new).filter(matcher).toList();
    List<ExperimentView> sorted = new ArrayList<>(matching);
    sorted.sort(comparator);
    Search.PageSlice<ExperimentView> page = Search.page(sorted, pageToken, maxResults);
    return new Page<>(
        page.items().stream().map(ExperimentView::experiment).toList(), page.nextPageToken());
  }

  private record ExperimentView(Experiment experiment) implements Search.Searchable {
    @Override
    public Object attribute(String key) {
      return switch (key) {
        case "name" -> experiment.getName();
        case "experiment_id" -> experiment.getExperimentId();
        case "creation_time" -> experiment.hasCreationTime() ? experiment.getCreationTime() : null;
        case "last_update_time" ->
            experiment.hasLastUpdateTime() ? experiment.getLastUpdateTime() : null;
        default -> null;
      };
    }

    @Override
    public String tag(String key) {
      return experiment.getTagsList().stream()
          .filter(t -> t.getKey().equals(key))
          .map(ExperimentTag::getValue)
          .findFirst()
          .orElse(null);
    }
  }

  List<Experiment> allExperiments(ViewType view) {
    List<Experiment> experiments = new ArrayList<>();
    if (view != ViewType.DELETED_ONLY) {
      for (String id : StoreFiles.subdirectories(mlruns)) {
        if (!id.equals(TRASH) && !id.equals(ModelRegistryStore.MODELS_FOLDER)) {
          Optional.ofNullable(readExperiment(mlruns.resolve(id))).ifPresent(experiments::add);
        }
      }
    }
    if (view != ViewType.ACTIVE_ONLY) {
      for (String id : StoreFiles.subdirectories(trash)) {
        Optional.ofNullable(readExperiment(trash.resolve(id))).ifPresent(experiments::add);
      }
    }
    return experiments;
  }

  /** The experiment in {@code dir}, or null if its meta.yaml is missing or malformed. */
  private Experiment readExperiment(Path dir) {
    Map<String, Object> meta;
    try {
      meta = MetaYaml.read(dir);
    } catch (RuntimeException e) {
      return null;
    }
    if (meta == null || MetaYaml.string(meta, "experiment_id") == null) {
      return null;
    }
    String id = MetaYaml.string(meta, "experiment_id");
    if (!id.equals(dir.getFileName().toString())) {
      return null; // MLflow ignores an experiment whose meta.yaml names another id.
    }
    Experiment.Builder experiment =
        Experiment.newBuilder()
            .setExperimentId(id)
            .setName(nullToEmpty(MetaYaml.string(meta, "name")))
            .setArtifactLocation(nullToEmpty(MetaYaml.string(meta, "artifact_location")))
            .setLifecycleStage(
                Optional.ofNullable(MetaYaml.string(meta, "lifecycle_stage")).orElse(ACTIVE));
    Long created = MetaYaml.number(meta, "creation_time");
    if (created != null && created != 0) {
      experiment.setCreationTime(created);
    }
    Long updated = MetaYaml.number(meta, "last_update_time");
    if (updated != null && updated != 0) {
      experiment.setLastUpdateTime(updated);
    }
    Path tagsDir = dir.resolve("tags");
    for (String key : StoreFiles.relativeFiles(tagsDir)) {
      experiment.addTags(
          ExperimentTag.newBuilder()
              .setKey(key)
              .setValue(StoreFiles.readString(tagsDir.resolve(key))));
    }
    return experiment.build();
  }

  // MLflow rewrites an experiment's meta.yaml with dict(experiment), tags included.
  private void writeExperimentMeta(Path dir, Experiment experiment) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("artifact_location", experiment.getArtifactLocation());
    meta.put("creation_time", experiment.hasCreationTime() ? experiment.getCreationTime() : null);
    meta.put("experiment_id", experiment.getExperimentId());
    meta.put(
        "last_update_time", experiment.hasLastUpdateTime() ? experiment.getLastUpdateTime() : null);
    meta.put("lifecycle_stage", experiment.getLifecycleStage());
    meta.put("name", experiment.getName());
    Map<String, Object> tags = new TreeMap<>();
    experiment.getTagsList().forEach(t -> tags.put(t.getKey(), t.getValue()));
    meta.put("tags", tags);
    MetaYaml.write(files, dir, meta);
  }

  // ---------------------------------------------------------------- runs

  /** Finds a run's folder in any experiment, active or deleted. */
  RunLocation locateRun(String runId) {
    Validation.runId(runId);
    Path cached = runDirs.get(runId);
    if (cached != null && Files.isRegularFile(cached.resolve(MetaYaml.FILE))) {
      return new RunLocation(cached.getParent().getFileName().toString(), cached);
    }
    List<Path> experimentDirs = new ArrayList<>();
    for (String id : StoreFiles.subdirectories(mlruns)) {
      if (!id.equals(TRASH) && !id.equals(ModelRegistryStore.MODELS_FOLDER)) {
        experimentDirs.add(mlruns.resolve(id));
      }
    }
    StoreFiles.subdirectories(trash).forEach(id -> experimentDirs.add(trash.resolve(id)));
    for (Path experimentDir : experimentDirs) {
      Path dir = experimentDir.resolve(runId);
      if (Files.isRegularFile(dir.resolve(MetaYaml.FILE))) {
        runDirs.put(runId, dir);
        return new RunLocation(experimentDir.getFileName().toString(), dir);
      }
    }
    throw MlflowError.notFound("Run '" + runId + "' not found");
  }

  private ReentrantLock runLock(String runId) {
    return runLocks.computeIfAbsent(runId, id -> new ReentrantLock());
  }

  /** Runs {@code action} on the run's folder while holding the run's lock. */
  private <T> T withRun(String runId, java.util.function.Function<RunLocation, T> action) {
    experimentLock.readLock().lock();
    try {
      RunLocation location = locateRun(runId);
      ReentrantLock lock = runLock(runId);
      lock.lock();
      try {
        return action.apply(location);
      } finally {
        lock.unlock();
      }
    } finally {
      experimentLock.readLock().unlock();
    }
  }

  /** The run's meta.yaml, cached while the file is unchanged. */
  private Map<String, Object> readMeta(Path runDir) {
    Path file = runDir.resolve(MetaYaml.FILE);
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      CachedMeta cached = metaCache.get(runDir);
      long modified = attributes.lastModifiedTime().toMillis();
      if (cached != null
          && cached.modified() == modified
          && cached.size() == attributes.size()
          && java.util.Objects.equals(cached.fileKey(), attributes.fileKey())) {
        return cached.meta();
      }
      Map<String, Object> meta = MetaYaml.read(runDir);
      if (meta != null) {
        metaCache.put(
            runDir,
            new CachedMeta(
                attributes.fileKey(),
                modified,
                attributes.size(),
                java.util.Collections.unmodifiableMap(new HashMap<>(meta))));
        return meta;
      }
      return null;
    } catch (IOException e) {
      return null;
    } catch (RuntimeException e) {
      if (e instanceof MlflowError) {
        throw e;
      }
      return null; // malformed YAML: treated like a missing meta.yaml, as MLflow skips it
    }
  }

  private static Object get(Map<String, Object> meta, String key) {
    return meta.get(key);
  }

  private Map<String, Object> requireMeta(RunLocation location, String runId) {
    Map<String, Object> meta = readMeta(location.dir());
    if (meta == null) {
      throw new MlflowError(
          MlflowError.INVALID_STATE, "Run '" + runId + "' metadata is in invalid state.");
    }
    Object experimentId = get(meta, "experiment_id");
    if (experimentId == null || !experimentId.toString().equals(location.experimentId())) {
      throw new MlflowError(
          MlflowError.INVALID_STATE, "Run '" + runId + "' metadata is in invalid state.");
    }
    return meta;
  }

  private static void checkActive(Map<String, Object> meta, String runId) {
    if (!ACTIVE.equals(lifecycle(meta))) {
      throw MlflowError.invalid("The run " + runId + " must be in the 'active' lifecycle_stage.");
    }
  }

  private static String lifecycle(Map<String, Object> meta) {
    Object stage = get(meta, "lifecycle_stage");
    return stage == null ? ACTIVE : stage.toString();
  }

  Run createRun(
      String experimentId,
      String userId,
      Long startTime,
      List<RunTag> requestTags,
      String runName) {
    String expId =
        experimentId == null || experimentId.isEmpty() ? DEFAULT_EXPERIMENT_ID : experimentId;
    List<RunTag> tags = new ArrayList<>();
    for (RunTag tag : requestTags) {
      validateTag(tag.getKey(), tag.getValue());
      tags.add(tag);
    }
    String tagName =
        tags.stream()
            .filter(t -> t.getKey().equals(RUN_NAME_TAG))
            .map(RunTag::getValue)
            .findFirst()
            .orElse(null);
    if (runName != null && !runName.isEmpty() && tagName != null && !runName.equals(tagName)) {
      throw MlflowError.invalid(
          "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different"
              + " values (run_name='"
              + runName
              + "', mlflow.runName='"
              + tagName
              + "').");
    }
    String name =
        runName != null && !runName.isEmpty()
            ? runName
            : tagName != null && !tagName.isEmpty() ? tagName : RunNames.random();
    if (tagName == null) {
      tags.add(RunTag.newBuilder().setKey(RUN_NAME_TAG).setValue(name).build());
    }
    experimentLock.readLock().lock();
    try {
      Experiment experiment = getExperiment(expId);
      if (!experiment.getLifecycleStage().equals(ACTIVE)) {
        throw MlflowError.invalid(
            "Could not create run under non-active experiment with ID " + expId + ".");
      }
      Path experimentDir = requireExperimentDir(expId);
      String runId = UUID.randomUUID().toString().replace("-", "");
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("artifact_uri", appendPath(experiment.getArtifactLocation(), runId + "/artifacts"));
      meta.put("end_time", null);
      meta.put("experiment_id", expId);
      meta.put("lifecycle_stage", ACTIVE);
      meta.put("run_id", runId);
      meta.put("run_name", name);
      meta.put("run_uuid", runId);
      meta.put("start_time", startTime == null ? System.currentTimeMillis() : startTime);
      meta.put("status", RunStatus.RUNNING_VALUE);
      meta.put("user_id", userId == null ? "" : userId);
      Path staging = files.newTempFile("run-" + runId);
      try {
        Files.createDirectories(staging.resolve("metrics"));
        Files.createDirectories(staging.resolve("params"));
        Files.createDirectories(staging.resolve("artifacts"));
        Files.createDirectories(staging.resolve("tags"));
        Files.writeString(staging.resolve(MetaYaml.FILE), MetaYaml.dump(persisted(meta, null)));
        Map<String, String> tagValues = new LinkedHashMap<>();
        tags.forEach(t -> tagValues.put(t.getKey(), t.getValue()));
        for (Map.Entry<String, String> tag : tagValues.entrySet()) {
          Path tagFile = StoreFiles.within(staging.resolve("tags"), tag.getKey());
          Files.createDirectories(tagFile.getParent());
          Files.writeString(tagFile, tag.getValue());
        }
        Path target = experimentDir.resolve(runId);
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        runDirs.put(runId, target);
      } catch (IOException e) {
        StoreFiles.deleteTree(staging);
        throw StoreFiles.storeError(experimentDir, e);
      }
      return getRun(runId);
    } finally {
      experimentLock.readLock().unlock();
    }
  }

  static String appendPath(String uri, String path) {
    return uri.endsWith("/") ? uri + path : uri + "/" + path;
  }

  /**
   * The meta.yaml dict MLflow writes for a run ({@code _make_persisted_run_info_dict}): the run
   * info, the legacy fields, and {@code deleted_time} only when the run is being deleted. (MLflow's
   * create_run writes {@code deleted_time: null} first, but then sets the {@code mlflow.runName}
   * tag, which rewrites meta.yaml without it; so a run's meta.yaml never has it unless deleted.)
   */
  private static Map<String, Object> persisted(Map<String, Object> info, Long deletedTime) {
    Map<String, Object> meta = new LinkedHashMap<>();
    for (String key :
        List.of(
            "artifact_uri",
            "end_time",
            "experiment_id",
            "lifecycle_stage",
            "run_id",
            "run_name",
            "run_uuid",
            "start_time",
            "status",
            "user_id")) {
      meta.put(key, get(info, key));
    }
    meta.put("source_type", 4); // SourceType.LOCAL
    meta.put("source_name", "");
    meta.put("entry_point_name", "");
    meta.put("source_version", "");
    meta.put("tags", List.of());
    if (deletedTime != null) {
      meta.put("deleted_time", deletedTime);
    }
    return meta;
  }

  private void writeRunMeta(Path runDir, Map<String, Object> info, Long deletedTime) {
    MetaYaml.write(files, runDir, persisted(info, deletedTime));
    metaCache.remove(runDir);
  }

  private static Map<String, Object> withLifecycle(Map<String, Object> meta, String stage) {
    Map<String, Object> copy = new HashMap<>(meta);
    copy.put("lifecycle_stage", stage);
    return copy;
  }

  Run getRun(String runId) {
    RunLocation location = locateRun(runId);
    return toRun(location, requireMeta(location, runId));
  }

  RunInfo updateRun(String runId, RunStatus status, Long endTime, String runName) {
    return withRun(
        runId,
        location -> {
          Map<String, Object> meta = new HashMap<>(requireMeta(location, runId));
          checkActive(meta, runId);
          if (status != null) {
            meta.put("status", status.getNumber());
          }
          if (endTime != null && endTime != 0) {
            meta.put("end_time", endTime);
          }
          if (runName != null && !runName.isEmpty()) {
            meta.put("run_name", runName);
            writeTagFile(location.dir(), RUN_NAME_TAG, runName);
          }
          writeRunMeta(location.dir(), meta, null);
          return toRunInfo(meta, tagsOf(location.dir()));
        });
  }

  void deleteRun(String runId) {
    withRun(
        runId,
        location -> {
          Map<String, Object> meta = requireMeta(location, runId);
          writeRunMeta(location.dir(), withLifecycle(meta, DELETED), System.currentTimeMillis());
          return null;
        });
  }

  void restoreRun(String runId) {
    withRun(
        runId,
        location -> {
          Map<String, Object> meta = requireMeta(location, runId);
          writeRunMeta(location.dir(), withLifecycle(meta, ACTIVE), null);
          return null;
        });
  }

  /**
   * Appends a metric line. The run's lock is only taken for the first append to a file (to cut a
   * line torn by a crash); later appends are single {@code O_APPEND} writes, so many clients can
   * log into one run at once.
   */
  void logMetric(String runId, Metric metric) {
    validateMetric(metric);
    experimentLock.readLock().lock();
    try {
      RunLocation location = locateRun(runId);
      checkActive(requireMeta(location, runId), runId);
      appendMetrics(runId, metricFile(location.dir(), metric.getKey()), metricLine(metric));
    } finally {
      experimentLock.readLock().unlock();
    }
  }

  private void appendMetrics(String runId, Path file, String lines) {
    if (checkedTails.contains(file)) {
      StoreFiles.appendLines(file, lines, false);
      return;
    }
    ReentrantLock lock = runLock(runId);
    lock.lock();
    try {
      boolean first = !checkedTails.contains(file);
      StoreFiles.appendLines(file, lines, first);
      checkedTails.add(file);
    } finally {
      lock.unlock();
    }
  }

  static String metricLine(Metric metric) {
    return metric.getTimestamp()
        + " "
        + PyFloat.repr(metric.getValue())
        + " "
        + metric.getStep()
        + "\n";
  }

  private static Path metricFile(Path runDir, String key) {
    return StoreFiles.within(runDir.resolve("metrics"), key);
  }

  private static void validateMetric(Metric metric) {
    Validation.metricName(metric.getKey());
    if (metric.getTimestamp() < 0) {
      throw MlflowError.invalid(
          "Got invalid timestamp "
              + metric.getTimestamp()
              + " for metric '"
              + metric.getKey()
              + "' (value="
              + metric.getValue()
              + "). Timestamp must be a nonnegative long (64-bit integer) ");
    }
  }

  private static void validateParam(String key, String value) {
    Validation.paramName(key);
    Validation.lengthLimit("Param value", Validation.MAX_PARAM_VAL_LENGTH, value);
  }

  private static void validateTag(String key, String value) {
    Validation.tagName(key);
    Validation.lengthLimit("Tag value", Validation.MAX_TAG_VAL_LENGTH, value);
  }

  void logParam(String runId, String key, String value) {
    validateParam(key, value);
    withRun(
        runId,
        location -> {
          checkActive(requireMeta(location, runId), runId);
          checkParamUnchanged(location.dir(), runId, key, value);
          files.writeAtomically(paramFile(location.dir(), key), value);
          return null;
        });
  }

  private static Path paramFile(Path runDir, String key) {
    return StoreFiles.within(runDir.resolve("params"), key);
  }

  private static void checkParamUnchanged(Path runDir, String runId, String key, String value) {
    Path file = paramFile(runDir, key);
    if (Files.isRegularFile(file)) {
      String current = StoreFiles.readString(file);
      if (!current.equals(value)) {
        throw MlflowError.invalid(
            "Changing param values is not allowed. Param with key='"
                + key
                + "' was already logged with value='"
                + current
                + "' for run ID='"
                + runId
                + "'. Attempted logging new value '"
                + value
                + "'.");
      }
    }
  }

  void setTag(String runId, String key, String value) {
    validateTag(key, value);
    withRun(
        runId,
        location -> {
          Map<String, Object> meta = requireMeta(location, runId);
          checkActive(meta, runId);
          writeTagFile(location.dir(), key, value);
          if (key.equals(RUN_NAME_TAG)) {
            Map<String, Object> renamed = new HashMap<>(meta);
            renamed.put("run_name", value);
            writeRunMeta(location.dir(), renamed, null);
          }
          return null;
        });
  }

  private void writeTagFile(Path runDir, String key, String value) {
    files.writeAtomically(StoreFiles.within(runDir.resolve("tags"), key), value);
  }

  void deleteTag(String runId, String key) {
    withRun(
        runId,
        location -> {
          checkActive(requireMeta(location, runId), runId);
          Validation.tagName(key);
          Path file = StoreFiles.within(location.dir().resolve("tags"), key);
          if (!Files.isRegularFile(file)) {
            throw MlflowError.notFound("No tag with name: " + key + " in run with id " + runId);
          }
          StoreFiles.deleteQuietly(file);
          return null;
        });
  }

  void logBatch(String runId, List<Metric> metrics, List<Param> params, List<RunTag> tags) {
    for (Metric metric : metrics) {
      validateMetric(metric);
    }
    params.forEach(p -> validateParam(p.getKey(), p.getValue()));
    tags.forEach(t -> validateTag(t.getKey(), t.getValue()));
    batchLimit("metrics", Validation.MAX_METRICS_PER_BATCH, metrics.size());
    batchLimit("params", Validation.MAX_PARAMS_TAGS_PER_BATCH, params.size());
    batchLimit("tags", Validation.MAX_PARAMS_TAGS_PER_BATCH, tags.size());
    batchLimit(
        "metrics, params, and tags",
        Validation.MAX_ENTITIES_PER_BATCH,
        metrics.size() + params.size() + tags.size());
    List<String> seen = new ArrayList<>();
    List<String> duplicates = new ArrayList<>();
    for (Param param : params) {
      (seen.contains(param.getKey()) ? duplicates : seen).add(param.getKey());
    }
    if (!duplicates.isEmpty()) {
      throw MlflowError.invalid(
          "Duplicate parameter keys have been submitted: "
              + duplicates
              + ". Please ensure the request contains only one param value per param key.");
    }
    withRun(
        runId,
        location -> {
          Map<String, Object> meta = requireMeta(location, runId);
          checkActive(meta, runId);
          for (Param param : params) {
            checkParamUnchanged(location.dir(), runId, param.getKey(), param.getValue());
          }
          for (Param param : params) {
            files.writeAtomically(paramFile(location.dir(), param.getKey()), param.getValue());
          }
          Map<String, StringBuilder> lines = new LinkedHashMap<>();
          for (Metric metric : metrics) {
            lines
                .computeIfAbsent(metric.getKey(), k -> new StringBuilder())
                .append(metricLine(metric));
          }
          lines.forEach(
              (key, text) ->
                  appendMetrics(runId, metricFile(location.dir(), key), text.toString()));
          String newName = null;
          for (RunTag tag : tags) {
            writeTagFile(location.dir(), tag.getKey(), tag.getValue());
            if (tag.getKey().equals(RUN_NAME_TAG)) {
              newName = tag.getValue();
            }
          }
          if (newName != null) {
            Map<String, Object> renamed = new HashMap<>(meta);
            renamed.put("run_name", newName);
            writeRunMeta(location.dir(), renamed, null);
          }
          return null;
        });
  }

  private static void batchLimit(String entity, int limit, int length) {
    if (length > limit) {
      throw MlflowError.invalid(
          "A batch logging request can contain at most "
              + limit
              + " "
              + entity
              + ". Got "
              + length
              + " "
              + entity
              + ". Please split up "
              + entity
              + " across multiple requests and try again.");
    }
  }

  List<Metric> getMetricHistory(String runId, String key) {
    Validation.metricName(key);
    RunLocation location = locateRun(runId);
    requireMeta(location, runId);
    Path file = metricFile(location.dir(), key);
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    List<Metric> history = new ArrayList<>();
    for (String line : StoreFiles.readCompleteLines(file)) {
      Metric metric = parseMetricLine(key, line);
      if (metric != null) {
        history.add(metric);
      }
    }
    return history;
  }

  private static Metric parseMetricLine(String key, String line) {
    String[] parts = line.strip().split(" ");
    if (parts.length != 2 && parts.length != 3) {
      return null;
    }
    try {
      return Metric.newBuilder()
          .setKey(key)
          .setTimestamp(Long.parseLong(parts[0]))
          .setValue(PyFloat.parse(parts[1]))
          .setStep(parts.length == 3 ? Long.parseLong(parts[2]) : 0)
          .build();
    } catch (NumberFormatException e) {
      return null;
    }
  }

  Page<Run> searchRuns(
      List<String> experimentIds,
      String filter,
      ViewType view,
      int maxResults,
      List<String> orderBy,
      String pageToken) {
    if (maxResults > SEARCH_MAX_RESULTS_THRESHOLD) {
      throw MlflowError.invalid(
          "Invalid value for request parameter max_results. It must be at most "
              + SEARCH_MAX_RESULTS_THRESHOLD
              + ", but got value "
              + maxResults);
    }
    if (maxResults < 1) {
      throw MlflowError.invalid(
          "Invalid value for request parameter max_results. It must be a positive integer, but"
              + " got value "
              + maxResults);
    }
    Predicate<Search.Searchable> matcher = Search.filter(filter, Search.Schema.RUNS);
    Comparator<Search.Searchable> comparator = null;
    for (String clause : orderBy) {
      Comparator<Search.Searchable> next =
          Search.runComparator(Search.parseOrder(clause, Search.Schema.RUNS));
      comparator = comparator == null ? next : comparator.thenComparing(next);
    }
    Comparator<Search.Searchable> natural =
        Comparator.comparing((Search.Searchable r) -> -((RunView) r).run.getInfo().getStartTime())
            .thenComparing(r -> ((RunView) r).run.getInfo().getRunUuid());
    comparator = comparator == null ? natural : comparator.thenComparing(natural);
    List<RunView> runs = new ArrayList<>();
    for (String experimentId : experimentIds) {
      Path dir = experimentDir(experimentId, ViewType.ALL);
      if (dir == null) {
        continue;
      }
      for (Path runDir : runDirsOf(dir)) {
        Map<String, Object> meta = readMeta(runDir);
        if (meta == null || !experimentId.equals(String.valueOf(get(meta, "experiment_id")))) {
          continue;
        }
        String stage = lifecycle(meta);
        boolean wanted =
            view == ViewType.ALL
                || (view == ViewType.ACTIVE_ONLY && stage.equals(ACTIVE))
                || (view == ViewType.DELETED_ONLY && stage.equals(DELETED));
        if (wanted) {
          RunView run = new RunView(toRun(new RunLocation(experimentId, runDir), meta));
          if (matcher.test(run)) {
            runs.add(run);
          }
        }
      }
    }
    runs.sort(comparator);
    Search.PageSlice<RunView> page = Search.page(runs, pageToken, maxResults);
    return new Page<>(page.items().stream().map(RunView::run).toList(), page.nextPageToken());
  }

  private static final class RunView implements Search.Searchable {
    final Run run;
    private final Map<String, Double> metrics = new HashMap<>();
    private final Map<String, String> params = new HashMap<>();
    private final Map<String, String> tags = new HashMap<>();

    RunView(Run run) {
      this.run = run;
      run.getData().getMetricsList().forEach(m -> metrics.put(m.getKey(), m.getValue()));
      run.getData().getParamsList().forEach(p -> params.put(p.getKey(), p.getValue()));
      run.getData().getTagsList().forEach(t -> tags.put(t.getKey(), t.getValue()));
    }

    Run run() {
      return run;
    }

    @Override
    public Object attribute(String key) {
      RunInfo info = run.getInfo();
      return switch (key) {
        case "run_id" -> info.getRunId();
        case "run_name" -> info.hasRunName() ? info.getRunName() : null;
        case "user_id" -> info.getUserId();
        case "status" -> info.getStatus().name();
        case "artifact_uri" -> info.hasArtifactUri() ? info.getArtifactUri() : null;
        case "experiment_id" -> info.getExperimentId();
        case "start_time" -> info.getStartTime();
        case "end_time" -> info.hasEndTime() ? info.getEndTime() : null;
        default -> null;
      };
    }

    @Override
    public Double metric(String key) {
      return metrics.get(key);
    }

    @Override
    public String param(String key) {
      return params.get(key);
    }

    @Override
    public String tag(String key) {
      return tags.get(key);
    }
  }

  /** The run folders of an experiment folder (those with a meta.yaml). */
  private static List<Path> runDirsOf(Path experimentDir) {
    List<Path> dirs = new ArrayList<>();
    for (String name : StoreFiles.subdirectories(experimentDir)) {
      if (!Validation.RESERVED_EXPERIMENT_FOLDERS.contains(name)) {
        Path dir = experimentDir.resolve(name);
        if (Files.isRegularFile(dir.resolve(MetaYaml.FILE))) {
          dirs.add(dir);
        }
      }
    }
    return dirs;
  }

  private Run toRun(RunLocation location, Map<String, Object> meta) {
    Path dir = location.dir();
    Map<String, String> tags = tagsOf(dir);
    RunData.Builder data = RunData.newBuilder();
    Path metricsDir = dir.resolve("metrics");
    for (String key : StoreFiles.relativeFiles(metricsDir)) {
      Metric latest = null;
      for (String line : StoreFiles.readCompleteLines(metricsDir.resolve(key))) {
        Metric metric = parseMetricLine(key, line);
        if (metric != null && (latest == null || LATEST.compare(metric, latest) > 0)) {
          latest = metric;
        }
      }
      if (latest != null) {
        data.addMetrics(latest);
      }
    }
    Path paramsDir = dir.resolve("params");
    for (String key : StoreFiles.relativeFiles(paramsDir)) {
      data.addParams(
          Param.newBuilder().setKey(key).setValue(StoreFiles.readString(paramsDir.resolve(key))));
    }
    tags.forEach((k, v) -> data.addTags(RunTag.newBuilder().setKey(k).setValue(v)));
    return Run.newBuilder()
        .setInfo(toRunInfo(meta, tags))
        .setData(data)
        .setInputs(RunInputs.getDefaultInstance())
        .build();
  }

  // The value MLflow reports for a metric: the largest (step, timestamp, value).
  private static final Comparator<Metric> LATEST =
      Comparator.comparingLong(Metric::getStep)
          .thenComparingLong(Metric::getTimestamp)
          .thenComparingDouble(Metric::getValue);

  private static Map<String, String> tagsOf(Path runDir) {
    Map<String, String> tags = new TreeMap<>();
    Path tagsDir = runDir.resolve("tags");
    for (String key : StoreFiles.relativeFiles(tagsDir)) {
      tags.put(key, StoreFiles.readString(tagsDir.resolve(key)));
    }
    return tags;
  }

  private static RunInfo toRunInfo(Map<String, Object> meta, Map<String, String> tags) {
    String runId =
        String.valueOf(get(meta, "run_id") != null ? get(meta, "run_id") : get(meta, "run_uuid"));
    RunInfo.Builder info =
        RunInfo.newBuilder()
            .setRunUuid(runId)
            .setRunId(runId)
            .setExperimentId(String.valueOf(get(meta, "experiment_id")))
            .setUserId(get(meta, "user_id") == null ? "" : String.valueOf(get(meta, "user_id")))
            .setStatus(status(get(meta, "status")))
            .setStartTime(number(get(meta, "start_time"), 0L))
            .setLifecycleStage(lifecycle(meta));
    Object runName = get(meta, "run_name");
    String name =
        runName == null || runName.toString().isEmpty()
            ? tags.get(RUN_NAME_TAG)
            : runName.toString();
    if (name != null) {
      info.setRunName(name);
    }
    long end = number(get(meta, "end_time"), 0L);
    if (end != 0) {
      info.setEndTime(end);
    }
    Object artifactUri = get(meta, "artifact_uri");
    if (artifactUri != null && !artifactUri.toString().isEmpty()) {
      info.setArtifactUri(artifactUri.toString());
    }
    return info.build();
  }

  private static long number(Object value, long fallback) {
    if (value instanceof Number n) {
      return n.longValue();
    }
    if (value != null) {
      try {
        return Long.parseLong(value.toString().trim());
      } catch (NumberFormatException e) {
        return fallback;
      }
    }
    return fallback;
  }

  private static RunStatus status(Object value) {
    if (value instanceof Number n) {
      RunStatus status = RunStatus.forNumber(n.intValue());
      return status == null ? RunStatus.RUNNING : status;
    }
    if (value != null) {
      try {
        return RunStatus.valueOf(value.toString());
      } catch (IllegalArgumentException e) {
        return RunStatus.RUNNING;
      }
    }
    return RunStatus.RUNNING;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
