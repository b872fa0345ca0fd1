package org.beammlops.transforms.features;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.beammlops.schemas.usecase.DerivedFeature;

/**
 * A fitted categorical feature, one-hot encoded over its vocabulary plus one out-of-vocabulary
 * column {@code <name>=<oov>} that takes unseen, rare and missing values.
 *
 * @param name the feature's name
 * @param source the record field it is read from (its own name, or the field a derived feature is
 *     computed from)
 * @param function for a derived feature, the function applied to {@code source}; else null
 * @param minCount the least number of rows a value needed to enter the vocabulary
 * @param count rows with a value
 * @param missing rows without one
 * @param vocabulary values seen at least {@code minCount} times, by descending count then value
 * @param counts the number of rows of each vocabulary value, parallel to {@code vocabulary}
 * @param rare rows whose value was seen fewer than {@code minCount} times
 */
@JsonPropertyOrder({
  "name",
  "source",
  "function",
  "minCount",
  "count",
  "missing",
  "vocabulary",
  "counts",
  "rare"
})
public record CategoricalFeature(
    String name,
    String source,
    @JsonInclude(JsonInclude.Include.NON_NULL) DerivedFeature.Function function,
    int minCount,
    long count,
    long missing,
    List<String> vocabulary,
    List<Long> counts,
    long rare)
    implements Feature {

  /** The value part of the out-of-vocabulary column's name. */
  public static final String OOV = "<oov>";

  public CategoricalFeature {
    if (name == null || name.isEmpty() || source == null || source.isEmpty()) {
      throw new IllegalArgumentException("categorical feature needs a name and a source");
    }
    vocabulary = List.copyOf(vocabulary);
    counts = List.copyOf(counts);
    if (vocabulary.size() != counts.size()) {
      throw new IllegalArgumentException(
          "categorical feature '" + name + "': vocabulary and counts differ in length");
    }
    if (new HashSet<>(vocabulary).size() != vocabulary.size()) {
      throw new IllegalArgumentException(
          "categorical feature '" + name + "': vocabulary has duplicates");
    }
  }

  /** Vocabulary size plus the out-of-vocabulary column. */
  public int width() {
    return vocabulary.size() + 1;
  }

  @Override
  public List<String> columnNames() {
    List<String> names = new ArrayList<>(width());
    for (String value : vocabulary) {
      names.add(name + "=" + value);
    }
    names.add(name + "=" + OOV);
    return List.copyOf(names);
  }
}
