/**
 * The pipelines' client of an MLflow tracking server and model registry, split by concern.
 *
 * <p>{@link org.beammlops.transforms.tracking.TrackingClient} holds one HTTP layer (the JDK's
 * client, MLflow's REST API with mlflow-client's request and response messages, retries with Beam's
 * {@code FluentBackoff} as {@link org.beammlops.transforms.tracking.RetryPolicy} says) and the
 * parts over it: {@link org.beammlops.transforms.tracking.Runs} (experiments, runs as {@link
 * org.beammlops.transforms.tracking.RunHandle}s, params, metrics, tags), {@link
 * org.beammlops.transforms.tracking.ModelRegistry} (versions, aliases), {@link
 * org.beammlops.transforms.tracking.Artifacts} (the server's {@code mlflow-artifacts} proxy, or
 * Beam {@code FileSystems} for {@code file://}, {@code gs://}, {@code s3://} roots) and {@link
 * org.beammlops.transforms.tracking.ModelResolver} ({@link
 * org.beammlops.transforms.tracking.ModelUri}s to cached local copies). {@link
 * org.beammlops.transforms.tracking.TrackingOptions} and {@link
 * org.beammlops.transforms.tracking.TrackingSettings} say where the server is and where a worker
 * finds its credentials. Client errors are never retried; secrets never appear in messages, logs or
 * options.
 */
package org.beammlops.transforms.tracking;
