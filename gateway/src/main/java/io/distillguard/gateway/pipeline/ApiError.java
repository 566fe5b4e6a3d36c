package io.distillguard.gateway.pipeline;

import io.distillguard.core.Outcome;

/**
 * An error answer in the OpenAI shape {@code {"error": {"message", "type", "param", "code"}}}.
 *
 * @param retryAfterSeconds value of the {@code Retry-After} header, or 0 for none
 * @param outcome           how the exchange log records it
 */
public record ApiError(
    int status, String type, String code, String message, String param, long retryAfterSeconds, Outcome outcome) {

  public static ApiError badRequest(String code, String message, String param) {
    return new ApiError(400, "invalid_request_error", code, message, param, 0, Outcome.REJECTED);
  }

  public static ApiError unauthorized(String code, String message) {
    return new ApiError(401, "invalid_request_error", code, message, null, 0, Outcome.REJECTED);
  }

  public static ApiError blocked() {
    return new ApiError(403, "permission_error", "account_blocked",
        "This account has been blocked. Contact support if you believe this is a mistake.", null, 0,
        Outcome.REJECTED);
  }

  public static ApiError notFound(String path) {
    return new ApiError(404, "invalid_request_error", "unknown_url", "Unknown request URL: " + path, null, 0,
        Outcome.REJECTED);
  }

  public static ApiError methodNotAllowed(String method, String path) {
    return new ApiError(405, "invalid_request_error", "method_not_allowed",
        "Method " + method + " is not allowed on " + path, null, 0, Outcome.REJECTED);
  }

  public static ApiError tooLarge(long limit) {
    return new ApiError(413, "invalid_request_error", "request_too_large",
        "Request body exceeds the limit of " + limit + " bytes", null, 0, Outcome.REJECTED);
  }

  public static ApiError rateLimited(String code, String message, long retryAfterSeconds) {
    return new ApiError(429, "rate_limit_error", code, message, null, Math.max(1, retryAfterSeconds),
        Outcome.REJECTED);
  }

  /** The client went away before it had sent the whole request (nginx's 499). */
  public static ApiError clientGone() {
    return new ApiError(499, "invalid_request_error", "client_cancelled",
        "The client closed the connection before the request was complete.", null, 0, Outcome.CLIENT_CANCELLED);
  }

  public static ApiError upstreamUnavailable(String message) {
    return new ApiError(502, "upstream_error", "upstream_unavailable", message, null, 0,
        Outcome.UPSTREAM_UNAVAILABLE);
  }

  public static ApiError upstreamStatus(int upstreamStatus) {
    return new ApiError(502, "upstream_error", "upstream_error",
        "The model server answered with status " + upstreamStatus, null, 0, Outcome.UPSTREAM_ERROR);
  }

  public static ApiError upstreamBroken(String message) {
    return new ApiError(502, "upstream_error", "upstream_reset", message, null, 0, Outcome.UPSTREAM_RESET);
  }

  public static ApiError upstreamTimeout(String message) {
    return new ApiError(504, "upstream_error", "upstream_timeout", message, null, 0, Outcome.UPSTREAM_TIMEOUT);
  }

  public static ApiError internal() {
    return new ApiError(500, "server_error", "internal_error", "The gateway failed to process the request", null,
        0, Outcome.REJECTED);
  }
}
