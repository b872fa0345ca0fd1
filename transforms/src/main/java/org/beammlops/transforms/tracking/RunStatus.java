package org.beammlops.transforms.tracking;

import org.mlflow.api.proto.Service;

/** MLflow's run statuses. */
public enum RunStatus {
  RUNNING,
  SCHEDULED,
  FINISHED,
  FAILED,
  KILLED;

  /** True for the statuses a run ends in. */
  public boolean isTerminal() {
    return this == FINISHED || this == FAILED || this == KILLED;
  }

  Service.RunStatus toProto() {
    return Service.RunStatus.valueOf(name());
  }

  static RunStatus fromProto(Service.RunStatus status) {
    return status == null ? RUNNING : valueOf(status.name());
  }
}
