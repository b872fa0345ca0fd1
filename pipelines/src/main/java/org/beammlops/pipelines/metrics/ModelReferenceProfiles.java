package org.beammlops.pipelines.metrics;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.transforms.drift.ReferenceProfiles;
import org.beammlops.transforms.feedback.WindowedMetrics;
import org.beammlops.transforms.model.MlflowModel;
import org.beammlops.transforms.model.MlflowModelReader;
import org.beammlops.transforms.profile.DatasetProfiles;
import org.beammlops.transforms.tracking.ModelUri;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference profile of each registered version of a model, read from its model directory on the
 * tracking server once per worker JVM; {@code all} is compared with the current champion's. A
 * version whose profile cannot be had (no profile, another use case, the server down) has none for
 * {@link #RETRY_MILLIS}, then is asked for again.
 */
final class ModelReferenceProfiles implements ReferenceProfiles {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ModelReferenceProfiles.class);
  static final long RETRY_MILLIS = 60_000;

  private record Entry(DatasetProfile profile, long at) {}

  private static final Map<String, Entry> CACHE = new ConcurrentHashMap<>();

  private final TrackingSettings tracking;
  private final String modelName;
  private final String useCase;

  ModelReferenceProfiles(TrackingSettings tracking, String modelName, String useCase) {
    this.tracking = tracking;
    this.modelName = modelName;
    this.useCase = useCase;
  }

  @Override
  public DatasetProfile of(String modelVersion) {
    String uri =
        modelVersion.equals(WindowedMetrics.ALL_VERSIONS)
            ? "models:/" + modelName + "@champion"
            : "models:/" + modelName + "/" + modelVersion;
    long now = System.currentTimeMillis();
    // per server: versions are numbered per registry, and a JVM may talk to several (tests do)
    String key = tracking.trackingUri() + " " + uri;
    Entry cached = CACHE.get(key);
    // the champion moves: its entry, like a missing one, is looked up again after a while
    boolean fresh =
        cached != null
            && (cached.profile() != null && !uri.endsWith("@champion")
                || now - cached.at() < RETRY_MILLIS);
    if (fresh) {
      return cached.profile();
    }
    DatasetProfile profile = load(uri);
    CACHE.put(key, new Entry(profile, now));
    return profile;
  }

  private DatasetProfile load(String uri) {
    try (TrackingClient client = TrackingClient.create(tracking.config())) {
      Path dir = client.resolve(ModelUri.parse(uri)).localPath();
      MlflowModel model = MlflowModelReader.read(dir);
      Path file = model.referenceProfile().orElse(null);
      if (file == null) {
        LOG.warn("{} has no reference profile: its windows are not tested for drift", uri);
        return null;
      }
      DatasetProfile profile = DatasetProfiles.fromJson(Files.readString(file));
      if (!profile.getUseCase().equals(useCase)) {
        LOG.warn(
            "{}'s reference profile is of use case {}, not {}", uri, profile.getUseCase(), useCase);
        return null;
      }
      return profile;
    } catch (Exception e) {
      LOG.warn("no reference profile for {}: {}", uri, e.toString());
      return null;
    }
  }
}
