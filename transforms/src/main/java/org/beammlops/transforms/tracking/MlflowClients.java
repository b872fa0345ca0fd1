package org.beammlops.transforms.tracking;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;
import org.mlflow.tracking.creds.MlflowHostCredsProvider;
import org.mlflow_project.apachehttp.client.config.RequestConfig;
import org.mlflow_project.apachehttp.impl.client.CloseableHttpClient;
import org.mlflow_project.apachehttp.impl.client.HttpClientBuilder;

/**
 * Builds an {@link MlflowClient} whose own HTTP caller does not retry.
 *
 * <p>mlflow-client 2.17.2's {@code MlflowHttpCaller} re-sends every failed request up to three
 * times, 4xx included, without waiting, and loops on HTTP 429 for up to a minute; its HTTP client
 * has no time-outs and two connections per host. {@link Retrier} owns retrying here (bounded
 * backoff, never a 4xx), so the client's caller is replaced by one built with its own
 * package-private constructor: one attempt, no rate-limit loop, and an HTTP client with time-outs,
 * a larger pool, no automatic retries and no redirects. The constructor and field are mlflow-client
 * internals, pinned by the version in transforms/pom.xml; if they change, construction fails loudly
 * rather than silently retrying 4xx.
 */
final class MlflowClients {
  private MlflowClients() {}

  static MlflowClient create(TrackingConfig config) {
    BasicMlflowHostCreds creds =
        new BasicMlflowHostCreds(
            config.trackingUri().toString(),
            config.username().orElse(null),
            config.password(),
            config.token(),
            false);
    MlflowClient client = new MlflowClient(creds);
    int connectMs = (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis());
    int requestMs = (int) Math.min(Integer.MAX_VALUE, config.requestTimeout().toMillis());
    CloseableHttpClient http =
        HttpClientBuilder.create()
            .setDefaultRequestConfig(
                RequestConfig.custom()
                    .setConnectTimeout(connectMs)
                    .setConnectionRequestTimeout(requestMs)
                    .setSocketTimeout(requestMs)
                    .build())
            .disableAutomaticRetries()
            // Redirects would carry the Authorization header to wherever they point.
            .disableRedirectHandling()
            .setMaxConnPerRoute(16)
            .setMaxConnTotal(32)
            .build();
    try {
      Class<?> callerClass = Class.forName("org.mlflow.tracking.MlflowHttpCaller");
      Constructor<?> constructor =
          callerClass.getDeclaredConstructor(
              MlflowHostCredsProvider.class,
              int.class,
              int.class,
              int.class,
              CloseableHttpClient.class);
      constructor.setAccessible(true);
      // maxRateLimitIntervalMs = 0: no 429 loop; maxRetryAttempts = 1: a single attempt.
      Object caller = constructor.newInstance(creds, 0, 0, 1, http);
      Field field = MlflowClient.class.getDeclaredField("httpCaller");
      field.setAccessible(true);
      field.set(client, caller);
      return client;
    } catch (ReflectiveOperationException | RuntimeException e) {
      try {
        http.close();
      } catch (java.io.IOException ignored) {
        // nothing to do
      }
      throw new IllegalStateException(
          "Cannot configure mlflow-client's HTTP caller (is mlflow-client a version other than"
              + " the one transforms/pom.xml pins?): "
              + e,
          e);
    }
  }
}
