package org.beammlops.transforms.serving;

import org.apache.avro.generic.GenericRecord;
import org.beammlops.transforms.inference.LoadedModel;
import org.beammlops.transforms.inference.MlflowOnnxModelHandler;
import org.beammlops.transforms.inference.ModelOutput;
import org.beammlops.transforms.inference.ModelRef;
import org.beammlops.transforms.inference.WatchModelRegistry;
import org.beammlops.transforms.model.MlflowModel;
import org.beammlops.transforms.model.MlflowModelReader;
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
    ModelRef ref = resolve(tracking, modelUri, setting);
    try (LoadedModel<GenericRecord, ModelOutput> loaded =
        MlflowOnnxModelHandler.of(useCase, tracking).load(ref)) {
      return loaded.ref();
    } catch (TrackingServerUnreachableException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          setting + ": " + modelUri + " (" + ref.id() + ") cannot be served: " + e.getMessage(), e);
    }
  }

  /**
   * What a model says it is: the use case and task it was trained for (null if it does not say).
   */
  public record Identity(ModelRef ref, String useCase, String task) {}

  /** Resolves {@code modelUri} and reads which use case and task its model was trained for. */
  public static Identity identify(TrackingSettings tracking, String modelUri, String setting) {
    ModelRef ref = resolve(tracking, modelUri, setting);
    MlflowModel model;
    try {
      model = MlflowModelReader.read(MlflowOnnxModelHandler.localDirectory(tracking, ref));
    } catch (TrackingServerUnreachableException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          setting + ": " + modelUri + " (" + ref.id() + ") cannot be served: " + e.getMessage(), e);
    }
    return new Identity(ref, model.useCase().orElse(null), model.task().orElse(null));
  }

  /**
   * The use case or task to run: the one given, else the model's; a given one the model contradicts
   * is an error naming both.
   */
  public static String agree(String what, String given, String fromModel, Identity model) {
    if (given != null && fromModel != null && !given.equals(fromModel)) {
      throw new IllegalArgumentException(
          what
              + " is '"
              + given
              + "' but "
              + model.ref().id()
              + " was trained for "
              + what
              + " '"
              + fromModel
              + "'; leave it out to take the model's");
    }
    return given != null ? given : fromModel;
  }

  private static ModelRef resolve(TrackingSettings tracking, String modelUri, String setting) {
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
    return ref;
  }
}
