package org.beammlops.pipelines.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.lake.Lake;
import org.beammlops.transforms.learn.SeenRows;
import org.beammlops.transforms.model.MlflowModel;
import org.beammlops.transforms.model.MlflowModelReader;

/**
 * What a model trained on, written into its directory ({@value MlflowModel#TRAINING_DATA}) and onto
 * its registered version as tags: the source, the date range asked for and the one its training
 * rows span, the holdout split, and the {@link SeenRows} filter of those rows. The gate reads it
 * back from the champion so that the champion is never scored on a row it learned from.
 */
record TrainingData(
    String source,
    String from,
    String to,
    String split,
    double holdoutFraction,
    String holdoutFrom,
    long seed,
    SeenRows seen) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The training run's data: its options, and the seen rows its prepare stage wrote. */
  static TrainingData of(TrainOptions options, UseCase useCase, PrepareTrainingData.Locations out) {
    String source =
        options.getInput() != null
            ? options.getInput()
            : Lake.at(options.getLake(), useCase.name()).eventsDir();
    SeenRows seen;
    try {
      seen = SeenRows.fromJson(JSON.readTree(TrainPipeline.readText(out.seenRows())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new TrainingData(
        source,
        options.getFrom(),
        options.getTo(),
        PrepareTrainingData.split(options, useCase).name(),
        options.getHoldoutFraction(),
        options.getHoldoutFrom(),
        options.getSeed(),
        seen);
  }

  /** The champion's, when its directory has one (a model from before it was recorded has not). */
  static Optional<TrainingData> ofModel(Path modelDir) {
    Optional<Path> file = MlflowModelReader.read(modelDir).extraFile(MlflowModel.TRAINING_DATA);
    if (file.isEmpty()) {
      return Optional.empty();
    }
    try {
      JsonNode json = JSON.readTree(Files.readString(file.get()));
      return Optional.of(
          new TrainingData(
              json.path("source").asText(),
              text(json, "from"),
              text(json, "to"),
              json.path("split").asText(),
              json.path("holdoutFraction").asDouble(),
              text(json, "holdoutFrom"),
              json.path("seed").asLong(),
              SeenRows.fromJson(json.path("seenRows"))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ObjectNode toJson() {
    ObjectNode json = JSON.createObjectNode();
    json.put("source", source);
    json.put("from", from);
    json.put("to", to);
    json.put("split", split);
    json.put("holdoutFraction", holdoutFraction);
    json.put("holdoutFrom", holdoutFrom);
    json.put("seed", seed);
    json.set("seenRows", seen.toJson());
    return json;
  }

  /** The split in words, e.g. "time: every event from 2001-05-01 held out". */
  String splitDescription() {
    if ("hash".equals(split)) {
      return String.format("hash: %.0f%% of ids held out (seed %d)", holdoutFraction * 100, seed);
    }
    return holdoutFrom != null
        ? "time: every event from " + holdoutFrom + " held out"
        : String.format("time: the latest dates held out, about %.0f%%", holdoutFraction * 100);
  }

  /** The training rows' dates in words, e.g. "2001-01-01..2001-04-30". */
  String dates() {
    return seen.firstDate() == null ? "no event time" : seen.firstDate() + ".." + seen.lastDate();
  }

  /** The version tags that say what the model trained on. */
  Map<String, String> tags() {
    Map<String, String> tags = new TreeMap<>();
    tags.put("mlops.train_source", limit(source));
    tags.put("mlops.train_range", (from == null ? "" : from) + ".." + (to == null ? "" : to));
    tags.put("mlops.train_split", splitDescription());
    tags.put("mlops.train_rows", Long.toString(seen.rows()));
    if (seen.firstDate() != null) {
      tags.put("mlops.train_first_date", seen.firstDate());
      tags.put("mlops.train_last_date", seen.lastDate());
    }
    return tags;
  }

  /** MLflow keeps tag values up to 5,000 characters. */
  private static String limit(String value) {
    return value.length() <= 5000 ? value : value.substring(0, 4996) + " ...";
  }

  private static String text(JsonNode json, String field) {
    return json.hasNonNull(field) ? json.get(field).asText() : null;
  }
}
