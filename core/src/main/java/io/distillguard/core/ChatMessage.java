package io.distillguard.core;

/**
 * One message of a request as the client sent it. For {@code /v1/completions} the prompt is a single message with
 * role {@code prompt}; for embeddings each input is a message with role {@code input}.
 *
 * @param content the text, or null when the exchange log redacts text
 */
public record ChatMessage(String role, String content) {}
