package org.beammlops.pipelines.batch;

import org.apache.avro.generic.GenericRecord;
import org.beammlops.transforms.inference.LoadedModel;
import org.beammlops.transforms.inference.MlflowOnnxModelHandler;
import org.beammlops.transforms.inference.ModelRef;
import org.beammlops.transforms.inference.WatchModelRegistry;
import org.beammlops.transforms.tracking.TrackingException;
import org.beammlops.transforms.tracking.TrackingServerUnreachableException;

/**
 * The one model version a batch job serves, pinned before anything runs: an alias is resolved to
 * its version once (a job that takes an hour scores every record with the same version), and the
 * version is loaded once on the launcher, so that a URI that does not exist or is not a servable
 * model is a clear error here instead of a failure on a worker after the input was read.
 */
final class StartupModel {
  private StartupModel() {}

  static ModelRef resolveAndCheck(String useCase, String trackingUri, String modelUri) {
    ModelRef ref;
    try {
      ref = WatchModelRegistry.resolve(trackingUri, modelUri);
    } catch (TrackingServerUnreachableException e) {
      throw new IllegalStateException(
          "model.uri: cannot resolve " + modelUri + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("model.uri: " + e.getMessage(), e);
    } catch (TrackingException e) {
      if (e.isNotFound()) {
        throw new IllegalArgumentException(
            "model.uri: "
                + modelUri
                + " does not exist on "
                + trackingUri
                + " ("
                + e.getMessage()
                + ")",
            e);
      }
      throw e;
    }
    try (LoadedModel<GenericRecord, Double> loaded =
        MlflowOnnxModelHandler.of(useCase, trackingUri).load(ref)) {
      return loaded.ref();
    } catch (TrackingServerUnreachableException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "model.uri: " + modelUri + " (" + ref.id() + ") cannot be served: " + e.getMessage(), e);
    }
  }
}
