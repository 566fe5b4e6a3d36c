package io.distillguard.upstream;

import java.util.Map;

/**
 * A request the {@link BuiltinUpstream} received, kept so tests can assert what a gateway forwarded
 * (in the spirit of OkHttp's MockWebServer).
 *
 * @param method HTTP method, e.g. {@code POST}
 * @param path request path without the query string, e.g. {@code /v1/chat/completions}
 * @param headers header names lower-cased; repeated headers are joined with {@code ", "}
 * @param body the body decoded as UTF-8 ({@code ""} when there was none)
 */
public record RecordedRequest(String method, String path, Map<String, String> headers, String body) {
  public RecordedRequest {
    headers = Map.copyOf(headers);
  }

  /** Header value by case-insensitive name, or null. */
  public String header(String name) {
    return headers.get(name.toLowerCase(java.util.Locale.ROOT));
  }
}
