package org.beammlops.transforms.feedback;

import java.io.Serializable;

/**
 * One task's true target for a request, read from a feedback message.
 *
 * @param requestId the request it belongs to
 * @param eventTime the request's event time (epoch millis)
 * @param target the task's target ({@code Task.target}: value, 0/1, class index)
 */
public record Truth(String requestId, long eventTime, double target) implements Serializable {}
