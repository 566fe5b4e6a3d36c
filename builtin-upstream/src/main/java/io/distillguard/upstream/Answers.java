package io.distillguard.upstream;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a prompt into completion choices: retrieval from the corpus (or the fixed response),
 * truncation to {@code max_tokens}, and the token boundaries streaming splits on.
 */
final class Answers {
  private final Settings settings;
  private final int[] fixedEnds;

  Answers(Settings settings) {
    this.settings = settings;
    this.fixedEnds =
        settings.fixedResponse() == null ? null : Tokenizer.tokenEnds(settings.fixedResponse());
  }

  /**
   * One generated choice.
   *
   * @param text the answer, possibly truncated
   * @param finishReason {@code "stop"} or {@code "length"} (truncated by max_tokens)
   * @param tokenEnds end offsets of the tokens of {@code text} (see {@link Tokenizer})
   */
  record Choice(String text, String finishReason, int[] tokenEnds) {
    int tokens() {
      return tokenEnds.length;
    }
  }

  /**
   * {@code n} choices for {@code prompt}: the n best retrieval results in rank order (so choice 0
   * is always the single best answer), each cut to {@code maxTokens} when that is not null.
   */
  List<Choice> generate(String prompt, int n, Integer maxTokens) {
    List<Choice> out = new ArrayList<>(n);
    if (settings.fixedResponse() != null) {
      Choice fixed = truncate(settings.fixedResponse(), fixedEnds, maxTokens);
      for (int i = 0; i < n; i++) {
        out.add(fixed);
      }
      return out;
    }
    for (QaPair pair : settings.corpus().top(prompt, n)) {
      out.add(truncate(pair.answer(), Tokenizer.tokenEnds(pair.answer()), maxTokens));
    }
    return out;
  }

  private static Choice truncate(String text, int[] ends, Integer maxTokens) {
    if (maxTokens == null || ends.length <= maxTokens) {
      return new Choice(text, "stop", ends);
    }
    return new Choice(text.substring(0, ends[maxTokens - 1]), "length",
        Arrays.copyOf(ends, maxTokens));
  }

  /** The text pieces streamed for {@code choice}, {@code chunkTokens} tokens each. */
  static List<String> pieces(Choice choice, int chunkTokens) {
    int[] ends = choice.tokenEnds();
    List<String> out = new ArrayList<>(ends.length / chunkTokens + 1);
    int start = 0;
    for (int i = 0; i < ends.length; i += chunkTokens) {
      int end = ends[Math.min(i + chunkTokens, ends.length) - 1];
      out.add(choice.text().substring(start, end));
      start = end;
    }
    return out;
  }
}
