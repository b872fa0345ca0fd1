package org.beammlops.transforms.learn;

/** The families of base learners the trainer stacks. */
public enum LearnerKind {
  /** Logistic regression (classification) or linear regression, Tribuo SGD. */
  LINEAR,
  /** Gradient-boosted trees, XGBoost. */
  GBT,
  /** A random forest grown by XGBoost (parallel trees, one round, no shrinkage). */
  RF;

  /** The kind named {@code name} (case-insensitive), or an error listing the known ones. */
  public static LearnerKind parse(String name) {
    for (LearnerKind k : values()) {
      if (k.name().equalsIgnoreCase(name.trim())) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown learner '" + name + "'; known: linear, gbt, rf");
  }

  public String id() {
    return name().toLowerCase();
  }
}
