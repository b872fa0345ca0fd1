package org.beammlops.transforms.feedback;

import java.io.Serializable;
import java.util.Map;

/**
 * A scored request and its feedback, joined: what a labelled record is built from.
 *
 * @param requestId the request's id, the record's id
 * @param eventTime the request's event time (epoch millis)
 * @param features the raw feature values the prediction carries
 * @param labels every label the feedback gives, by name
 * @param source where the feedback was read ({@code feedback:<topic>-<partition>}), the record's
 *     provenance
 * @param offset the feedback message's offset there
 */
public record LabelledRequest(
    String requestId,
    long eventTime,
    Map<String, Object> features,
    Map<String, Object> labels,
    String source,
    long offset)
    implements Serializable {}
