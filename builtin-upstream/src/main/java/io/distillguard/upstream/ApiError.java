package io.distillguard.upstream;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An OpenAI-shaped error answer, thrown while handling a request and rendered as
 * {@code {"error":{"message","type","param","code"}}} with {@link #status()}.
 */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String type;
  private final String param;
  private final String code;

  ApiError(int status, String message, String type, String param, String code) {
    super(message, null, false, false); // control flow, not a bug: no stack trace needed
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
  }

  /** 400 {@code invalid_request_error}. */
  static ApiError invalid(String message, String param, String code) {
    return new ApiError(400, message, "invalid_request_error", param, code);
  }

  static ApiError missing(String param) {
    return invalid("Missing required parameter: '" + param + "'.", param,
        "missing_required_parameter");
  }

  static ApiError wrongType(String param, String expected) {
    return invalid("Invalid type for '" + param + "': expected " + expected + ".", param,
        "invalid_type");
  }

  static ApiError badJson() {
    return invalid("We could not parse the JSON body of your request. The builtin upstream, like"
        + " the OpenAI API, expects a JSON object as the request body.", null, null);
  }

  static ApiError modelNotFound(String model) {
    return new ApiError(404, "The model `" + model + "` does not exist or you do not have access"
        + " to it.", "invalid_request_error", "model", "model_not_found");
  }

  static ApiError unknownPath(String method, String path) {
    return new ApiError(404, "Invalid URL (" + method + " " + path + ")",
        "invalid_request_error", null, null);
  }

  static ApiError methodNotAllowed(String method, String path) {
    return new ApiError(405, "Not allowed to " + method + " on " + path + ".",
        "invalid_request_error", null, null);
  }

  static ApiError unauthorized(boolean headerPresent) {
    return new ApiError(401, headerPresent
        ? "Incorrect API key provided. The builtin upstream expects the key it was started with."
        : "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
        "invalid_request_error", null, "invalid_api_key");
  }

  static ApiError tooLarge(int limit) {
    return new ApiError(413, "Request body exceeds the builtin upstream's limit of " + limit
        + " bytes.", "invalid_request_error", null, "request_too_large");
  }

  /** The error an injected {@link Fault#status(int)} answers with, typed the way OpenAI types it. */
  static ApiError injected(int status) {
    String type;
    String code;
    if (status == 429) {
      type = "requests";
      code = "rate_limit_exceeded";
    } else if (status == 401) {
      type = "invalid_request_error";
      code = "invalid_api_key";
    } else if (status >= 500) {
      type = "server_error";
      code = null;
    } else {
      type = "invalid_request_error";
      code = null;
    }
    return new ApiError(status, "Injected fault: HTTP " + status + " from the builtin upstream.",
        type, null, code);
  }

  int status() {
    return status;
  }

  String toJson() {
    ObjectNode error = Json.MAPPER.createObjectNode();
    error.putObject("error")
        .put("message", getMessage())
        .put("type", type)
        .put("param", param)
        .put("code", code);
    return error.toString();
  }
}
