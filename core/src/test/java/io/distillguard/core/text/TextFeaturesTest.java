package io.distillguard.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextFeaturesTest {
  static Exchange chat(String... roleContent) {
    List<ChatMessage> m = new java.util.ArrayList<>();
    for (int i = 0; i < roleContent.length; i += 2) {
      m.add(new ChatMessage(roleContent[i], roleContent[i + 1]));
    }
    return new Exchange("x", Instant.EPOCH, "a", "k", "ip", "ua", "fp", "/v1/chat/completions", "m",
        SamplingParams.NONE, false, m, null, null, 0, null, 0, 0, 0, 200, Outcome.OK, null, 0, 0, 0);
  }

  static TextFeatures f(String prompt) {
    return TextFeatures.of(chat("user", prompt));
  }

  @Test
  void reasoningCuesAcrossLanguages() {
    assertThat(f("Solve this. Think step by step and show your work.").elicitsReasoning()).isTrue();
    assertThat(f("Résous ce problème étape par étape.").elicitsReasoning()).isTrue();
    assertThat(f("Löse die Aufgabe Schritt für Schritt.").elicitsReasoning()).isTrue();
    assertThat(f("请一步一步地解答这个问题。").elicitsReasoning()).isTrue();
    assertThat(f("この問題をステップバイステップで解いてください。").elicitsReasoning()).isTrue();
    assertThat(f("Реши задачу шаг за шагом.").elicitsReasoning()).isTrue();
    assertThat(f("Answer in JSON with a \"reasoning\" field and an \"answer\" field.").elicitsReasoning()).isTrue();
    assertThat(f("What is a good name for a golden retriever?").elicitsReasoning()).isFalse();
    assertThat(f("Rate the response on a scale of 1 to 10.").grades()).isTrue();
    assertThat(f("I stepped on a bee, what should I do?").elicitsReasoning()).isFalse();
  }

  @Test
  void languagesAreTold() {
    assertThat(Lexicons.LANGUAGES[f("What is the best way to learn how to cook with a wok?").language])
        .isEqualTo("en");
    assertThat(Lexicons.LANGUAGES[f("¿Cuál es la mejor manera de aprender a cocinar con un wok para la familia?")
        .language]).isEqualTo("es");
    assertThat(Lexicons.LANGUAGES[f("Quelle est la meilleure façon d'apprendre à cuisiner avec un wok pour les "
        + "enfants et la famille?").language]).isEqualTo("fr");
    assertThat(Lexicons.LANGUAGES[f("ジャネットのアヒルは1日に16個の卵を生みます。").language]).isEqualTo("ja");
    assertThat(Lexicons.LANGUAGES[f("珍妮的鸭子每天下16个蛋。").language]).isEqualTo("zh");
    assertThat(Lexicons.LANGUAGES[f("У Джанет утки несут 16 яиц в день.").language]).isEqualTo("ru");
    assertThat(f("ok").language).isEqualTo(-1);
  }

  @Test
  void skeletonsIgnoreNumbersAndWrappersRepeat() {
    TextFeatures a = f("Question: Natalia sold 48 clips in April. How many in total? Answer with the final number only please.");
    TextFeatures b = f("Question: Natalia sold 17 clips in April. How many in total? Answer with the final number only please.");
    TextFeatures c = f("Question: Weng earns 12 dollars an hour for babysitting. Answer with the final number only please.");
    assertThat(a.skeletonHash).isEqualTo(b.skeletonHash);
    assertThat(Long.bitCount(a.simHash ^ b.simHash)).isLessThanOrEqualTo(4);
    assertThat(a.prefixHash).isNotEqualTo(c.prefixHash);
    assertThat(a.suffixHash).isEqualTo(c.suffixHash);
  }

  @Test
  void conversationShape() {
    TextFeatures single = TextFeatures.of(chat("system", "You are a helpful bot.", "user", "hi there friend"));
    assertThat(single.userTurns).isEqualTo(1);
    assertThat(single.followUp).isFalse();
    assertThat(single.systemHash).isNotZero();
    TextFeatures follow = TextFeatures.of(chat("user", "hi", "assistant", "hello!", "user", "tell me more"));
    assertThat(follow.userTurns).isEqualTo(2);
    assertThat(follow.followUp).isTrue();
  }

  @Test
  void hugeAndHostileTextIsBounded() {
    String big = "<script>alert(1)</script> ".repeat(100_000);
    TextFeatures t = f(big);
    assertThat(t.tokens.size()).isLessThan(TextFeatures.MAX_CHARS);
  }
}
