/**
 * Dataset profiles: per feature counts, missing values, moments, quantiles, histograms and category
 * frequencies of a use case's data. The training pipeline stores the profile of its training data
 * beside the model ({@code reference_profile.json}); the drift pipeline profiles live data the same
 * way and compares the two.
 *
 * <p>{@link org.beammlops.transforms.profile.ProfileDataset} is the Beam transform; {@link
 * org.beammlops.transforms.profile.DatasetProfiles} the plain-Java entry points and the JSON form;
 * {@link org.beammlops.transforms.profile.DatasetProfiler} says what is profiled.
 */
package org.beammlops.transforms.profile;
