/**
 * The pipelines' client of an MLflow tracking server and model registry.
 *
 * <p>{@link org.beammlops.transforms.tracking.TrackingClient} (configured by {@link
 * org.beammlops.transforms.tracking.TrackingConfig}, from MLflow's environment variables by
 * default) wraps {@code org.mlflow:mlflow-client} for experiments, runs ({@link
 * org.beammlops.transforms.tracking.RunHandle}), params, metrics, tags and the registry, talks to
 * the server's {@code mlflow-artifacts} endpoints (or Beam {@code FileSystems} for {@code file://},
 * {@code gs://}, {@code s3://} artifact roots) for artifacts, and resolves {@link
 * org.beammlops.transforms.tracking.ModelUri}s ({@code models:/<name>@<alias>}, {@code
 * models:/<name>/<version>}, {@code runs:/<run>/<path>}) to local copies. Transient failures are
 * retried with a bounded {@link org.beammlops.transforms.tracking.RetryPolicy}; client errors never
 * are; secrets never appear in messages or logs.
 */
package org.beammlops.transforms.tracking;
