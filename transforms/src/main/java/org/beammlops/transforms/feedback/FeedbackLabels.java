package org.beammlops.transforms.feedback;

import java.io.Serializable;
import java.util.Map;

/**
 * Every label one feedback message gives, by name (task names, and raw label fields where the
 * sender gives them), before any task reads its own: what a labelled record is rebuilt from.
 *
 * @param requestId the request the labels belong to
 * @param eventTime the request's event time (epoch millis)
 * @param labels label name to value: a double, text, a boolean or null
 */
public record FeedbackLabels(String requestId, long eventTime, Map<String, Object> labels)
    implements Serializable {}
