package org.beammlops.local.tracking;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.mlflow.api.proto.ModelRegistry.ModelVersion;
import org.mlflow.api.proto.ModelRegistry.ModelVersionStatus;
import org.mlflow.api.proto.ModelRegistry.ModelVersionTag;
import org.mlflow.api.proto.ModelRegistry.RegisteredModel;
import org.mlflow.api.proto.ModelRegistry.RegisteredModelAlias;
import org.mlflow.api.proto.ModelRegistry.RegisteredModelTag;

/**
 * The model registry in MLflow's file-store layout ({@code
 * mlflow/store/model_registry/file_store.py}):
 *
 * <pre>
 * mlruns/models/&lt;name&gt;/meta.yaml              aliases, creation_timestamp, description,
 *                                            last_updated_timestamp, name
 * mlruns/models/&lt;name&gt;/tags/&lt;key&gt;             tag values
 * mlruns/models/&lt;name&gt;/aliases/&lt;alias&gt;        the version number the alias points to
 * mlruns/models/&lt;name&gt;/version-&lt;n&gt;/meta.yaml  aliases, creation_timestamp, current_stage,
 *     description, last_updated_timestamp, name, run_id, run_link, source, status,
 *     status_message, storage_location, user_id, version
 * mlruns/models/&lt;name&gt;/version-&lt;n&gt;/tags/&lt;key&gt;
 * </pre>
 *
 * Deleted versions stay on disk with stage {@code Deleted_Internal}, so numbers are never reused.
 * Writes are serialised by one lock (registry traffic is light); files are replaced atomically.
 */
final class ModelRegistryStore {
  static final String MODELS_FOLDER = "models";
  static final List<String> STAGES = List.of("None", "Staging", "Production", "Archived");
  static final String DELETED_INTERNAL = "Deleted_Internal";
  static final int MAX_MODELS_PER_PAGE = 1000;
  static final int MAX_VERSIONS_PER_PAGE = 200_000;

  private final Path models;
  private final StoreFiles files;
  private final TrackingStore tracking;
  private final ReentrantLock lock = new ReentrantLock();

  ModelRegistryStore(Path mlruns, StoreFiles files, TrackingStore tracking) {
    this.models = mlruns.resolve(MODELS_FOLDER);
    this.files = files;
    this.tracking = tracking;
    try {
      Files.createDirectories(models);
    } catch (IOException e) {
      throw StoreFiles.storeError(models, e);
    }
  }

  // ---------------------------------------------------------------- registered models

  private Path modelDir(String name) {
    Validation.modelName(name);
    return StoreFiles.within(models, name);
  }

  private Path requireModelDir(String name) {
    Path dir = modelDir(name);
    if (!Files.isRegularFile(dir.resolve(MetaYaml.FILE))) {
      throw MlflowError.notFound("Registered Model with name=" + name + " not found");
    }
    return dir;
  }

  RegisteredModel createRegisteredModel(
      String name, List<RegisteredModelTag> tags, String description) {
    Path dir = modelDir(name);
    for (RegisteredModelTag tag : tags) {
      validateRegistryTag(tag.getKey(), tag.getValue(), "Registered model");
    }
    lock.lock();
    try {
      if (Files.exists(dir)) {
        throw MlflowError.exists("Registered Model (name=" + name + ") already exists.");
      }
      long now = System.currentTimeMillis();
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("aliases", Map.of());
      meta.put("creation_timestamp", now);
      meta.put("description", description);
      meta.put("last_updated_timestamp", now);
      meta.put("name", name);
      Path staging = files.newTempFile("model");
      try {
        Files.createDirectories(staging);
        Files.writeString(staging.resolve(MetaYaml.FILE), MetaYaml.dump(meta));
        for (RegisteredModelTag tag : tags) {
          Path tagFile = StoreFiles.within(staging.resolve("tags"), tag.getKey());
          Files.createDirectories(tagFile.getParent());
          Files.writeString(tagFile, tag.getValue());
        }
        Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        StoreFiles.deleteTree(staging);
        throw StoreFiles.storeError(dir, e);
      }
      return getRegisteredModel(name);
    } finally {
      lock.unlock();
    }
  }

  RegisteredModel getRegisteredModel(String name) {
    return readModel(requireModelDir(name));
  }

  RegisteredModel updateRegisteredModel(String name, String description) {
    lock.lock();
    try {
      Path dir = requireModelDir(name);
      Map<String, Object> meta = MetaYaml.read(dir);
      meta.put("description", description);
      meta.put("last_updated_timestamp", System.currentTimeMillis());
      writeModelMeta(dir, meta);
      return readModel(dir);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Renames by moving the model's folder in one step (MLflow's file store copies the versions and
   * drops the old folder, losing the model's tags and aliases; this keeps them), then rewrites the
   * name in every meta.yaml.
   */
  RegisteredModel renameRegisteredModel(String name, String newName) {
    lock.lock();
    try {
      Path dir = requireModelDir(name);
      Path target = modelDir(newName);
      if (Files.exists(target)) {
        throw MlflowError.exists("Registered Model (name=" + newName + ") already exists.");
      }
      try {
        Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw StoreFiles.storeError(target, e);
      }
      long now = System.currentTimeMillis();
      for (Path versionDir : versionDirs(target)) {
        Map<String, Object> meta = MetaYaml.read(versionDir);
        if (meta != null) {
          meta.put("name", newName);
          meta.put("last_updated_timestamp", now);
          MetaYaml.write(files, versionDir, meta);
        }
      }
      Map<String, Object> meta = MetaYaml.read(target);
      meta.put("name", newName);
      meta.put("last_updated_timestamp", now);
      writeModelMeta(target, meta);
      return readModel(target);
    } finally {
      lock.unlock();
    }
  }

  void deleteRegisteredModel(String name) {
    lock.lock();
    try {
      Path dir = requireModelDir(name);
      // Move out of the tree first, so a crash mid-delete leaves nothing half-deleted behind.
      Path doomed = files.newTempFile("deleted-model");
      try {
        Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw StoreFiles.storeError(dir, e);
      }
      StoreFiles.deleteTree(doomed);
    } finally {
      lock.unlock();
    }
  }

  /** MLflow's registry checks of a search page size, with its messages. */
  private static void checkMaxResults(long maxResults, long limit) {
    if (maxResults < 1) {
      throw MlflowError.invalid(
          "Invalid value for max_results. It must be a positive integer, but got " + maxResults);
    }
    if (maxResults > limit) {
      throw MlflowError.invalid(
          "Invalid value for request parameter max_results. It must be at most "
              + limit
              + ", but got value "
              + maxResults);
    }
  }

  record ModelPage(List<RegisteredModel> models, String nextPageToken) {}

  ModelPage searchRegisteredModels(
      String filter, long maxResults, List<String> orderBy, String pageToken) {
    checkMaxResults(maxResults, MAX_MODELS_PER_PAGE);
    Predicate<Search.Searchable> matcher = Search.filter(filter, Search.Schema.REGISTERED_MODELS);
    Comparator<Search.Searchable> comparator =
        comparator(orderBy, Search.Schema.REGISTERED_MODELS, List.of(), "name", true);
    List<ModelView> all = new ArrayList<>();
    for (String name : StoreFiles.subdirectories(models)) {
      Path dir = models.resolve(name);
      if (Files.isRegularFile(dir.resolve(MetaYaml.FILE))) {
        ModelView view = new ModelView(readModel(dir));
        if (matcher.test(view)) {
          all.add(view);
        }
      }
    }
    all.sort(comparator);
    Search.PageSlice<ModelView> page = Search.page(all, pageToken, maxResults);
    return new ModelPage(
        page.items().stream().map(ModelView::model).toList(), page.nextPageToken());
  }

  private static Comparator<Search.Searchable> comparator(
      List<String> orderBy,
      Search.Schema schema,
      List<String> defaults,
      String tieBreaker,
      boolean tieAscending) {
    List<String> clauses = orderBy.isEmpty() ? defaults : orderBy;
    Comparator<Search.Searchable> comparator = null;
    boolean hasTieBreaker = false;
    for (String clause : clauses) {
      Search.Order order = Search.parseOrder(clause, schema);
      if (!order.type().equals("attribute")) {
        throw MlflowError.invalid("Invalid order_by entity: " + order.type());
      }
      hasTieBreaker |= order.key().equals(tieBreaker);
      Comparator<Search.Searchable> next = Search.attributeComparator(order);
      comparator = comparator == null ? next : comparator.thenComparing(next);
    }
    Comparator<Search.Searchable> tie =
        Search.attributeComparator(new Search.Order("attribute", tieBreaker, tieAscending));
    if (comparator == null) {
      return tie;
    }
    return hasTieBreaker ? comparator : comparator.thenComparing(tie);
  }

  private record ModelView(RegisteredModel model) implements Search.Searchable {
    @Override
    public Object attribute(String key) {
      return switch (key) {
        case "name" -> model.getName();
        case "creation_timestamp" -> model.getCreationTimestamp();
        case "last_updated_timestamp" -> model.getLastUpdatedTimestamp();
        default -> null;
      };
    }

    @Override
    public String tag(String key) {
      return model.getTagsList().stream()
          .filter(t -> t.getKey().equals(key))
          .map(RegisteredModelTag::getValue)
          .findFirst()
          .orElse(null);
    }
  }

  List<ModelVersion> getLatestVersions(String name, List<String> stages) {
    Path dir = requireModelDir(name);
    List<String> wanted =
        stages.isEmpty()
            ? STAGES
            : stages.stream().map(ModelRegistryStore::canonicalStage).toList();
    Map<String, ModelVersion> latest = new LinkedHashMap<>();
    for (Path versionDir : versionDirs(dir)) {
      ModelVersion version = readVersion(versionDir, name);
      if (version == null || !wanted.contains(version.getCurrentStage())) {
        continue;
      }
      ModelVersion current = latest.get(version.getCurrentStage());
      if (current == null
          || Integer.parseInt(current.getVersion()) < Integer.parseInt(version.getVersion())) {
        latest.put(version.getCurrentStage(), version);
      }
    }
    List<ModelVersion> result = new ArrayList<>();
    for (String stage : STAGES) {
      if (latest.containsKey(stage)) {
        result.add(latest.get(stage));
      }
    }
    return result;
  }

  static String canonicalStage(String stage) {
    for (String canonical : STAGES) {
      if (canonical.equalsIgnoreCase(stage == null ? "" : stage.trim())) {
        return canonical;
      }
    }
    throw MlflowError.invalid(
        "Invalid Model Version stage: "
            + stage
            + ". Value must be one of "
            + String.join(", ", STAGES)
            + ".");
  }

  void setRegisteredModelTag(String name, String key, String value) {
    validateRegistryTag(key, value, "Registered model");
    lock.lock();
    try {
      Path dir = requireModelDir(name);
      files.writeAtomically(StoreFiles.within(dir.resolve("tags"), key), value);
      touchModel(dir);
    } finally {
      lock.unlock();
    }
  }

  void deleteRegisteredModelTag(String name, String key) {
    Validation.tagName(key);
    lock.lock();
    try {
      Path dir = requireModelDir(name);
      Path file = StoreFiles.within(dir.resolve("tags"), key);
      if (Files.isRegularFile(file)) {
        StoreFiles.deleteQuietly(file);
        touchModel(dir);
      }
    } finally {
      lock.unlock();
    }
  }

  private static void validateRegistryTag(String key, String value, String entity) {
    Validation.tagName(key);
    Validation.lengthLimit(entity + " key", Validation.MAX_ENTITY_KEY_LENGTH, key);
    Validation.lengthLimit(entity + " value", Validation.MAX_REGISTRY_TAG_VAL_LENGTH, value);
  }

  /** Bumps last_updated_timestamp and rewrites meta.yaml (with the current aliases, as MLflow). */
  private void touchModel(Path dir) {
    Map<String, Object> meta = MetaYaml.read(dir);
    meta.put("last_updated_timestamp", System.currentTimeMillis());
    writeModelMeta(dir, meta);
  }

  private void writeModelMeta(Path dir, Map<String, Object> meta) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("aliases", aliasesOf(dir));
    out.put("creation_timestamp", meta.get("creation_timestamp"));
    out.put("description", meta.get("description"));
    out.put("last_updated_timestamp", meta.get("last_updated_timestamp"));
    out.put("name", meta.get("name"));
    MetaYaml.write(files, dir, out);
  }

  private RegisteredModel readModel(Path dir) {
    Map<String, Object> meta = MetaYaml.read(dir);
    if (meta == null) {
      throw new MlflowError(
          MlflowError.INVALID_STATE, "Registered model folder " + dir.getFileName() + " is broken");
    }
    String name = MetaYaml.string(meta, "name");
    RegisteredModel.Builder model = RegisteredModel.newBuilder().setName(name);
    Long created = MetaYaml.number(meta, "creation_timestamp");
    if (created != null) {
      model.setCreationTimestamp(created);
    }
    Long updated = MetaYaml.number(meta, "last_updated_timestamp");
    if (updated != null && updated != 0) {
      model.setLastUpdatedTimestamp(updated);
    }
    String description = MetaYaml.string(meta, "description");
    if (description != null && !description.isEmpty()) {
      model.setDescription(description);
    }
    model.addAllLatestVersions(getLatestVersions(name, List.of()));
    Path tagsDir = dir.resolve("tags");
    for (String key : StoreFiles.relativeFiles(tagsDir)) {
      model.addTags(
          RegisteredModelTag.newBuilder()
              .setKey(key)
              .setValue(StoreFiles.readString(tagsDir.resolve(key))));
    }
    aliasesOf(dir)
        .forEach(
            (alias, version) ->
                model.addAliases(
                    RegisteredModelAlias.newBuilder().setAlias(alias).setVersion(version)));
    return model.build();
  }

  private static Map<String, String> aliasesOf(Path modelDir) {
    Map<String, String> aliases = new TreeMap<>();
    Path dir = modelDir.resolve("aliases");
    for (String alias : StoreFiles.relativeFiles(dir)) {
      aliases.put(alias, StoreFiles.readString(dir.resolve(alias)).trim());
    }
    return aliases;
  }

  // ---------------------------------------------------------------- model versions

  private static List<Path> versionDirs(Path modelDir) {
    List<Path> dirs = new ArrayList<>();
    for (String name : StoreFiles.subdirectories(modelDir)) {
      if (name.startsWith("version-")
          && Files.isRegularFile(modelDir.resolve(name).resolve(MetaYaml.FILE))) {
        dirs.add(modelDir.resolve(name));
      }
    }
    return dirs;
  }

  private ModelVersion readVersion(Path versionDir, String modelName) {
    Map<String, Object> meta;
    try {
      meta = MetaYaml.read(versionDir);
    } catch (RuntimeException e) {
      return null;
    }
    if (meta == null) {
      return null;
    }
    String stage = MetaYaml.string(meta, "current_stage");
    if (DELETED_INTERNAL.equals(stage)) {
      return null;
    }
    String version = versionDir.getFileName().toString().substring("version-".length());
    ModelVersion.Builder mv =
        ModelVersion.newBuilder()
            .setName(modelName)
            .setVersion(version)
            .setCreationTimestamp(orZero(MetaYaml.number(meta, "creation_timestamp")));
    Long updated = MetaYaml.number(meta, "last_updated_timestamp");
    if (updated != null) {
      mv.setLastUpdatedTimestamp(updated);
    }
    setIfNotNull(MetaYaml.string(meta, "description"), mv::setDescription);
    setIfNotNull(MetaYaml.string(meta, "user_id"), mv::setUserId);
    setIfNotNull(stage, mv::setCurrentStage);
    setIfNotNull(MetaYaml.string(meta, "source"), mv::setSource);
    setIfNotNull(MetaYaml.string(meta, "run_id"), mv::setRunId);
    setIfNotNull(MetaYaml.string(meta, "run_link"), mv::setRunLink);
    String status = MetaYaml.string(meta, "status");
    mv.setStatus(status == null ? ModelVersionStatus.READY : ModelVersionStatus.valueOf(status));
    String statusMessage = MetaYaml.string(meta, "status_message");
    if (statusMessage != null && !statusMessage.isEmpty()) {
      mv.setStatusMessage(statusMessage);
    }
    Path tagsDir = versionDir.resolve("tags");
    for (String key : StoreFiles.relativeFiles(tagsDir)) {
      mv.addTags(
          ModelVersionTag.newBuilder()
              .setKey(key)
              .setValue(StoreFiles.readString(tagsDir.resolve(key))));
    }
    aliasesOf(versionDir.getParent())
        .forEach(
            (alias, target) -> {
              if (target.equals(version)) {
                mv.addAliases(alias);
              }
            });
    return mv.build();
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }

  private static void setIfNotNull(String value, java.util.function.Consumer<String> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }

  /** The folder of a live (not deleted) version, or RESOURCE_DOES_NOT_EXIST. */
  private Path requireVersionDir(String name, String version) {
    Validation.modelName(name);
    int number = Validation.modelVersion(version);
    Path modelDir = requireModelDir(name);
    Path dir = modelDir.resolve("version-" + number);
    Map<String, Object> meta = Files.isDirectory(dir) ? MetaYaml.read(dir) : null;
    if (meta == null || DELETED_INTERNAL.equals(MetaYaml.string(meta, "current_stage"))) {
      throw MlflowError.notFound(
          "Model Version (name=" + name + ", version=" + version + ") not found");
    }
    return dir;
  }

  ModelVersion createModelVersion(
      String name,
      String source,
      String runId,
      List<ModelVersionTag> tags,
      String runLink,
      String description) {
    Validation.modelName(name);
    for (ModelVersionTag tag : tags) {
      validateRegistryTag(tag.getKey(), tag.getValue(), "Model version");
    }
    String storageLocation = validateSource(source, runId);
    lock.lock();
    try {
      Path modelDir = requireModelDir(name);
      int next = 1;
      for (Path dir : versionDirs(modelDir)) {
        try {
          next = Math.max(next, Integer.parseInt(dir.getFileName().toString().substring(8)) + 1);
        } catch (NumberFormatException e) {
          // not a version folder of ours
        }
      }
      long now = System.currentTimeMillis();
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("aliases", List.of());
      meta.put("creation_timestamp", now);
      meta.put("current_stage", "None");
      meta.put("description", description);
      meta.put("last_updated_timestamp", now);
      meta.put("name", name);
      meta.put("run_id", runId);
      meta.put("run_link", runLink);
      meta.put("source", source);
      meta.put("status", "READY");
      meta.put("status_message", null);
      meta.put("storage_location", storageLocation);
      meta.put("user_id", null);
      meta.put("version", next);
      Path staging = files.newTempFile("version");
      Path target = modelDir.resolve("version-" + next);
      try {
        Files.createDirectories(staging);
        Files.writeString(staging.resolve(MetaYaml.FILE), MetaYaml.dump(meta));
        for (ModelVersionTag tag : tags) {
          Path tagFile = StoreFiles.within(staging.resolve("tags"), tag.getKey());
          Files.createDirectories(tagFile.getParent());
          Files.writeString(tagFile, tag.getValue());
        }
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        StoreFiles.deleteTree(staging);
        throw StoreFiles.storeError(target, e);
      }
      touchModel(modelDir);
      return readVersion(target, name);
    } finally {
      lock.unlock();
    }
  }

  /**
   * MLflow's source checks: no {@code ..} or NUL once fully unquoted; a local path must lie in the
   * artifact folder of the given run; a {@code models:/} URI is resolved to the storage location of
   * the version it names.
   */
  private String validateSource(String source, String runId) {
    String invalid =
        "Invalid model version source: '"
            + source
            + "'. If supplying a source as an http, https, local file path, ftp, objectstore, or"
            + " mlflow-artifacts uri, an absolute path must be provided without relative path"
            + " references present. Please provide an absolute path.";
    String decoded = StoreFiles.decodeFully(source.replace('+', ' '));
    if (decoded.indexOf('\0') >= 0 || List.of(decoded.split("/", -1)).contains("..")) {
      throw MlflowError.invalid(invalid);
    }
    String scheme = scheme(source);
    if (scheme.equals("models")) {
      String rest = source.substring("models:/".length()).replaceAll("^/+", "");
      int at = rest.indexOf('@');
      int slash = rest.indexOf('/');
      try {
        if (at > 0) {
          return getModelVersionDownloadUri(
              getModelVersionByAlias(rest.substring(0, at), rest.substring(at + 1)));
        }
        if (slash > 0) {
          return getModelVersionDownloadUri(
              rest.substring(0, slash), rest.substring(slash + 1).replaceAll("/+$", ""));
        }
      } catch (MlflowError e) {
        throw MlflowError.invalid(
            "Unable to fetch model from model URI source artifact location '"
                + source
                + "'.Error: "
                + e.getMessage());
      }
      throw MlflowError.invalid("Invalid model URI source '" + source + "'");
    }
    if (scheme.isEmpty() || scheme.equals("file")) {
      String artifactUri =
          runId == null || runId.isEmpty()
              ? null
              : tracking.getRun(runId).getInfo().getArtifactUri();
      String localPath = scheme.isEmpty() ? source : URI.create(source).getPath();
      String runDir = artifactUri == null ? null : localArtifactPath(artifactUri);
      if (runDir == null
          || localPath == null
          || !Path.of(localPath).normalize().startsWith(Path.of(runDir).normalize())) {
        throw MlflowError.invalid(
            "Invalid model version source: '"
                + source
                + "'. To use a local path as a model version source, the run_id request"
                + " parameter has to be specified and the local path has to be contained within"
                + " the artifact directory of the run specified by the run_id.");
      }
    }
    return source;
  }

  private static String localArtifactPath(String artifactUri) {
    String scheme = scheme(artifactUri);
    if (scheme.isEmpty()) {
      return artifactUri;
    }
    return scheme.equals("file") ? URI.create(artifactUri).getPath() : null;
  }

  private static String scheme(String uri) {
    int colon = uri.indexOf(':');
    if (colon <= 1) {
      return ""; // no scheme, or a Windows drive letter
    }
    String scheme = uri.substring(0, colon);
    return scheme.matches("[A-Za-z][A-Za-z0-9+.-]*") ? scheme.toLowerCase(Locale.ROOT) : "";
  }

  ModelVersion getModelVersion(String name, String version) {
    return readVersion(requireVersionDir(name, version), name);
  }

  ModelVersion updateModelVersion(String name, String version, String description) {
    lock.lock();
    try {
      Path dir = requireVersionDir(name, version);
      Map<String, Object> meta = MetaYaml.read(dir);
      if (description != null) {
        meta.put("description", description);
      }
      meta.put("last_updated_timestamp", System.currentTimeMillis());
      writeVersionMeta(dir, meta);
      return readVersion(dir, name);
    } finally {
      lock.unlock();
    }
  }

  ModelVersion transitionStage(
      String name, String version, String stage, boolean archiveExistingVersions) {
    String canonical = canonicalStage(stage);
    if (archiveExistingVersions && !List.of("Staging", "Production").contains(canonical)) {
      throw MlflowError.invalid(
          "Model version transition cannot archive existing model versions because '"
              + stage
              + "' is not an Active stage. Valid stages are ['Staging', 'Production']");
    }
    lock.lock();
    try {
      Path dir = requireVersionDir(name, version);
      long now = System.currentTimeMillis();
      if (archiveExistingVersions) {
        for (Path other : versionDirs(dir.getParent())) {
          Map<String, Object> meta = MetaYaml.read(other);
          if (!other.equals(dir) && canonical.equals(MetaYaml.string(meta, "current_stage"))) {
            meta.put("current_stage", "Archived");
            meta.put("last_updated_timestamp", now);
            writeVersionMeta(other, meta);
          }
        }
      }
      Map<String, Object> meta = MetaYaml.read(dir);
      meta.put("current_stage", canonical);
      meta.put("last_updated_timestamp", now);
      writeVersionMeta(dir, meta);
      touchModel(dir.getParent());
      return readVersion(dir, name);
    } finally {
      lock.unlock();
    }
  }

  void deleteModelVersion(String name, String version) {
    lock.lock();
    try {
      Path dir = requireVersionDir(name, version);
      Map<String, Object> meta = MetaYaml.read(dir);
      meta.put("current_stage", DELETED_INTERNAL);
      meta.put("last_updated_timestamp", System.currentTimeMillis());
      writeVersionMeta(dir, meta);
      String number = dir.getFileName().toString().substring("version-".length());
      Path aliasesDir = dir.getParent().resolve("aliases");
      aliasesOf(dir.getParent())
          .forEach(
              (alias, target) -> {
                if (target.equals(number)) {
                  StoreFiles.deleteQuietly(aliasesDir.resolve(alias));
                }
              });
      touchModel(dir.getParent());
    } finally {
      lock.unlock();
    }
  }

  // MLflow rewrites a version's meta.yaml with dict(model_version) minus tags, aliases included.
  private void writeVersionMeta(Path dir, Map<String, Object> meta) {
    Map<String, Object> out = new LinkedHashMap<>(meta);
    String number = dir.getFileName().toString().substring("version-".length());
    List<String> aliases = new ArrayList<>();
    aliasesOf(dir.getParent())
        .forEach(
            (alias, target) -> {
              if (target.equals(number)) {
                aliases.add(alias);
              }
            });
    out.put("aliases", aliases);
    out.remove("tags");
    MetaYaml.write(files, dir, out);
  }

  String getModelVersionDownloadUri(String name, String version) {
    Map<String, Object> meta = MetaYaml.read(requireVersionDir(name, version));
    String storage = MetaYaml.string(meta, "storage_location");
    return storage != null && !storage.isEmpty() ? storage : MetaYaml.string(meta, "source");
  }

  private String getModelVersionDownloadUri(ModelVersion version) {
    return getModelVersionDownloadUri(version.getName(), version.getVersion());
  }

  record VersionPage(List<ModelVersion> versions, String nextPageToken) {}

  VersionPage searchModelVersions(
      String filter, long maxResults, List<String> orderBy, String pageToken) {
    checkMaxResults(maxResults, MAX_VERSIONS_PER_PAGE);
    Predicate<Search.Searchable> matcher = Search.filter(filter, Search.Schema.MODEL_VERSIONS);
    Comparator<Search.Searchable> comparator =
        comparator(
            orderBy,
            Search.Schema.MODEL_VERSIONS,
            List.of("last_updated_timestamp DESC", "name ASC", "version_number DESC"),
            "name",
            true);
    List<VersionView> all = new ArrayList<>();
    for (String name : StoreFiles.subdirectories(models)) {
      Path modelDir = models.resolve(name);
      Map<String, Object> modelMeta = MetaYaml.read(modelDir);
      if (modelMeta == null) {
        continue;
      }
      String modelName = MetaYaml.string(modelMeta, "name");
      for (Path versionDir : versionDirs(modelDir)) {
        ModelVersion version = readVersion(versionDir, modelName);
        if (version != null) {
          VersionView view = new VersionView(version);
          if (matcher.test(view)) {
            all.add(view);
          }
        }
      }
    }
    all.sort(comparator);
    Search.PageSlice<VersionView> page = Search.page(all, pageToken, maxResults);
    return new VersionPage(
        page.items().stream().map(VersionView::version).toList(), page.nextPageToken());
  }

  private record VersionView(ModelVersion version) implements Search.Searchable {
    @Override
    public Object attribute(String key) {
      return switch (key) {
        case "name" -> version.getName();
        case "run_id" -> version.getRunId();
        case "source_path" -> version.getSource();
        case "current_stage" -> version.getCurrentStage();
        case "version_number" -> Long.parseLong(version.getVersion());
        case "creation_timestamp" -> version.getCreationTimestamp();
        case "last_updated_timestamp" -> version.getLastUpdatedTimestamp();
        default -> null;
      };
    }

    @Override
    public String tag(String key) {
      return version.getTagsList().stream()
          .filter(t -> t.getKey().equals(key))
          .map(ModelVersionTag::getValue)
          .findFirst()
          .orElse(null);
    }
  }

  void setModelVersionTag(String name, String version, String key, String value) {
    validateRegistryTag(key, value, "Model version");
    lock.lock();
    try {
      Path dir = requireVersionDir(name, version);
      files.writeAtomically(StoreFiles.within(dir.resolve("tags"), key), value);
      touchModel(dir.getParent());
    } finally {
      lock.unlock();
    }
  }

  void deleteModelVersionTag(String name, String version, String key) {
    Validation.tagName(key);
    lock.lock();
    try {
      Path dir = requireVersionDir(name, version);
      Path file = StoreFiles.within(dir.resolve("tags"), key);
      if (Files.isRegularFile(file)) {
        StoreFiles.deleteQuietly(file);
        touchModel(dir.getParent());
      }
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- aliases

  void setAlias(String name, String alias, String version) {
    Validation.modelName(name);
    Validation.alias(alias);
    lock.lock();
    try {
      Path dir = requireVersionDir(name, version);
      String number = dir.getFileName().toString().substring("version-".length());
      files.writeAtomically(dir.getParent().resolve("aliases").resolve(alias), number);
      touchModel(dir.getParent());
    } finally {
      lock.unlock();
    }
  }

  void deleteAlias(String name, String alias) {
    Validation.modelName(name);
    Validation.alias(alias);
    lock.lock();
    try {
      Path dir = requireModelDir(name);
      Path file = dir.resolve("aliases").resolve(alias);
      if (Files.isRegularFile(file)) {
        StoreFiles.deleteQuietly(file);
        touchModel(dir);
      }
    } finally {
      lock.unlock();
    }
  }

  ModelVersion getModelVersionByAlias(String name, String alias) {
    Validation.modelName(name);
    Validation.alias(alias);
    Path dir = requireModelDir(name);
    Path file = dir.resolve("aliases").resolve(alias);
    if (!Files.isRegularFile(file)) {
      throw MlflowError.invalid("Registered model alias " + alias + " not found.");
    }
    return getModelVersion(name, StoreFiles.readString(file).trim());
  }
}
