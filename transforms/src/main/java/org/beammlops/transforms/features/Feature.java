package org.beammlops.transforms.features;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.io.Serializable;
import java.util.List;

/** One fitted feature of a {@link FeatureSpec}: numeric or categorical. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = NumericFeature.class, name = "numeric"),
  @JsonSubTypes.Type(value = CategoricalFeature.class, name = "categorical")
})
public sealed interface Feature extends Serializable permits NumericFeature, CategoricalFeature {

  /** The feature's name, the prefix of its output columns. */
  String name();

  /** Rows in which the feature had a value. */
  long count();

  /** Rows in which the feature was missing (null, absent, or a non-finite number). */
  long missing();

  /** The names of the output columns of this feature, in order. */
  List<String> columnNames();
}
