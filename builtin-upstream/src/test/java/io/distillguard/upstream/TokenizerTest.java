package io.distillguard.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizerTest {
  private static List<String> tokens(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int end : Tokenizer.tokenEnds(text)) {
      out.add(text.substring(start, end));
      start = end;
    }
    return out;
  }

  @Test
  void whitespaceLeadsTheFollowingToken() {
    assertThat(tokens("Hello, world!")).containsExactly("Hello", ",", " world", "!");
    assertThat(tokens("  a\n\nb  ")).containsExactly("  a", "\n\nb  ");
    assertThat(tokens("x += 10;")).containsExactly("x", " +=", " 10", ";");
  }

  @Test
  void concatenationReproducesTheText() {
    String text = "Line one.\n\n```java\nint x = a_very_long_identifier_name * 2;\n```\n 日本語 🎉🎉 end ";
    assertThat(String.join("", tokens(text))).isEqualTo(text);
    for (String t : tokens(text)) {
      assertThat(Character.isLowSurrogate(t.charAt(0))).as(t).isFalse();
      assertThat(Character.isHighSurrogate(t.charAt(t.length() - 1))).as(t).isFalse();
    }
  }

  @Test
  void longRunsAndIdeographsAreSplit() {
    assertThat(tokens("abcdefghijklmnopq")).containsExactly("abcdefghijkl", "mnopq");
    assertThat(tokens("日本語")).containsExactly("日", "本", "語");
    assertThat(Tokenizer.count("")).isZero();
    assertThat(Tokenizer.count("   ")).isEqualTo(1);
  }
}
