package io.distillguard.upstream;

import java.util.Objects;

/**
 * One canned question/answer pair of a {@link Corpus}.
 *
 * @param question text that is matched against the prompt (never null)
 * @param answer text returned when this pair is retrieved (never null)
 */
public record QaPair(String question, String answer) {
  public QaPair {
    Objects.requireNonNull(question, "question");
    Objects.requireNonNull(answer, "answer");
  }
}
