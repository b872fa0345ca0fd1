package org.beammlops.transforms.serving;

import org.apache.avro.generic.GenericRecord;
import org.beammlops.transforms.inference.LoadedModel;
import org.beammlops.transforms.inference.MlflowOnnxModelHandler;
import org.beammlops.transforms.inference.ModelRef;
import org.beammlops.transforms.inference.WatchModelRegistry;
import org.beammlops.transforms.tracking.TrackingException;
import org.beammlops.transforms.tracking.TrackingServerUnreachableException;
import org.beammlops.transforms.tracking.TrackingSettings;

/**
 * The model version a job starts with, checked before anything runs: an alias is resolved to its
 * version (a batch job pins it for its whole run; a streaming job starts from it), and the version
 * is loaded once on the launcher, so that a URI that does not exist or is not a servable model is a
 * clear error here instead of a failure on a worker after the input was read.
 */
public final class StartupModel {
  private StartupModel() {}

  /**
   * Resolves and loads {@code modelUri}; errors start with {@code setting}, the name the user gave
   * the URI under (a YAML key, an option).
   */
  public static ModelRef resolveAndCheck(
      String useCase, TrackingSettings tracking, String modelUri, String setting) {
    ModelRef ref;
    try {
      ref = WatchModelRegistry.resolve(tracking, modelUri);
    } catch (TrackingServerUnreachableException e) {
      throw new IllegalStateException(
          setting + ": cannot resolve " + modelUri + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(setting + ": " + e.getMessage(), e);
    } catch (TrackingException e) {
      if (e.isNotFound()) {
        throw new IllegalArgumentException(
            setting
                + ": "
                + modelUri
                + " does not exist on "
                + tracking.trackingUri()
                + " ("
                + e.getMessage()
                + ")",
            e);
      }
      throw e;
    }
    try (LoadedModel<GenericRecord, Double> loaded =
        MlflowOnnxModelHandler.of(useCase, tracking).load(ref)) {
      return loaded.ref();
    } catch (TrackingServerUnreachableException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          setting + ": " + modelUri + " (" + ref.id() + ") cannot be served: " + e.getMessage(), e);
    }
  }
}
