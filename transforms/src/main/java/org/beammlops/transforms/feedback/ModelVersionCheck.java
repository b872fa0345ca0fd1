package org.beammlops.transforms.feedback;

import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.beammlops.transforms.tracking.RegisteredModelVersion;
import org.beammlops.transforms.tracking.RetryPolicy;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the model version a prediction names exists in the registry, so that the metrics of a
 * version nobody registered (a typo, a stale producer, a forged record) do not appear beside the
 * served ones. A miss asks the registry again, at most once per {@code minRefresh} per model, so a
 * version registered a moment ago is found and a flood of unknown ones costs one request. When the
 * registry cannot be reached the answer is {@link Verdict#UNVERIFIED}: the caller keeps the
 * prediction and counts it, rather than losing live metrics to a tracking-server outage.
 *
 * <p>A model served from a local directory has the version {@code local} and nothing to look up.
 */
public abstract class ModelVersionCheck implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The version a model served from a directory carries (see {@code WatchModelRegistry}). */
  public static final String LOCAL_VERSION = "local";

  /** What the check knows of one version. */
  public enum Verdict {
    KNOWN,
    UNKNOWN,
    UNVERIFIED
  }

  /** The verdict for {@code version} of {@code modelName}. */
  public abstract Verdict check(String modelName, String version);

  /** A check that accepts every version (for predictions that come from no registry). */
  public static ModelVersionCheck none() {
    return new ModelVersionCheck() {
      private static final long serialVersionUID = 1L;

      @Override
      public Verdict check(String modelName, String version) {
        return Verdict.KNOWN;
      }
    };
  }

  /** The versions registered on the tracking server of {@code tracking}, looked up as needed. */
  public static ModelVersionCheck registeredIn(TrackingSettings tracking, Duration minRefresh) {
    return new Registered(tracking, minRefresh);
  }

  /** A registry's versions are whole numbers; anything else can be no version of it. */
  static boolean couldBeRegistered(String version) {
    if (version == null || version.isEmpty() || version.length() > 18) {
      return false;
    }
    for (int i = 0; i < version.length(); i++) {
      if (!Character.isDigit(version.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static final class Registered extends ModelVersionCheck {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelVersionCheck.class);

    private final TrackingSettings tracking;
    private final Duration minRefresh;
    private transient Map<String, Lookup> lookups;
    private transient TrackingClient client;
    private transient Clock clock;

    /** What the last lookup of one model found: null versions when it never succeeded. */
    private static final class Lookup {
      Set<String> versions;
      long askedAt = Long.MIN_VALUE;
      boolean failed;
    }

    Registered(TrackingSettings tracking, Duration minRefresh) {
      this.tracking = tracking;
      this.minRefresh = minRefresh;
    }

    @Override
    public synchronized Verdict check(String modelName, String version) {
      if (LOCAL_VERSION.equals(version)) {
        return Verdict.KNOWN;
      }
      if (!couldBeRegistered(version)) {
        return Verdict.UNKNOWN;
      }
      if (lookups == null) {
        lookups = new HashMap<>();
        clock = Clock.systemUTC();
        // One quick question per refresh: a worker thread must not wait out a down server.
        client =
            TrackingClient.create(
                tracking
                    .builder()
                    .retryPolicy(RetryPolicy.NONE)
                    .connectTimeout(Duration.ofSeconds(2))
                    .requestTimeout(Duration.ofSeconds(10))
                    .build());
      }
      Lookup lookup = lookups.computeIfAbsent(modelName, n -> new Lookup());
      if (lookup.versions != null && lookup.versions.contains(version)) {
        return Verdict.KNOWN;
      }
      long now = clock.millis();
      if (lookup.askedAt == Long.MIN_VALUE || now - lookup.askedAt >= minRefresh.toMillis()) {
        lookup.askedAt = now;
        try {
          Set<String> versions = new HashSet<>();
          for (RegisteredModelVersion v :
              client.searchModelVersions("name='" + modelName.replace("'", "") + "'", 1000)) {
            versions.add(Long.toString(v.version()));
          }
          lookup.versions = versions;
          lookup.failed = false;
        } catch (RuntimeException e) {
          if (!lookup.failed) {
            LOG.warn(
                "cannot look up the versions of model '{}' at {}: predictions are kept unverified"
                    + " until it answers ({})",
                modelName,
                tracking.trackingUri(),
                e.getMessage());
          }
          lookup.failed = true;
        }
      }
      if (lookup.versions != null && lookup.versions.contains(version)) {
        return Verdict.KNOWN;
      }
      return lookup.failed ? Verdict.UNVERIFIED : Verdict.UNKNOWN;
    }
  }
}
