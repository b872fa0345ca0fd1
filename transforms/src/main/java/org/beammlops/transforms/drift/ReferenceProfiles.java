package org.beammlops.transforms.drift;

import java.io.Serializable;
import org.beammlops.schemas.DatasetProfile;

/**
 * Where the streaming drift finds what a model version's windows are compared with: the reference
 * profile of that version's model ({@code all}: the champion's). Null when there is none (a model
 * without a profile, a registry that cannot be read): the window is then not tested, and counted.
 */
@FunctionalInterface
public interface ReferenceProfiles extends Serializable {
  DatasetProfile of(String modelVersion);
}
