package io.distillguard.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real model, loaded from the classpath (the LangChain4j artifact ships it): no network is involved, so this
 * passes on a machine without one.
 */
class MiniLmEmbedderTest {
  static MiniLmEmbedder model;

  @BeforeAll
  static void load() {
    model = MiniLmEmbedder.shared();
  }

  @Test
  void similarSentencesAreCloserThanUnrelatedOnes() {
    float[] cat = model.embed("The cat is sleeping on the sofa.");
    float[] kitten = model.embed("A kitten naps on the couch.");
    float[] tax = model.embed("How do I file my quarterly sales tax return?");
    assertThat(cat).hasSize(384);
    assertThat(Vectors.dot(cat, cat)).isCloseTo(1.0, within(1e-5));
    assertThat(Vectors.distance(cat, kitten)).isLessThan(Vectors.distance(cat, tax));
    assertThat(Vectors.dot(cat, kitten)).isGreaterThan(0.5);
    assertThat(Vectors.dot(cat, tax)).isLessThan(0.2);
  }

  @Test
  void theSameTextGivesTheSameVector() {
    assertThat(model.embed("Explain photosynthesis step by step."))
        .containsExactly(model.embed("Explain photosynthesis step by step."));
  }

  @Test
  void hostileInputIsEmbeddedOrIgnoredNeverThrown() {
    assertThat(model.embed("")).containsOnly(0f);
    assertThat(model.embed("   \n\t ")).containsOnly(0f);
    assertThat(model.embed(null)).containsOnly(0f);
    String huge = "token ".repeat(200_000);
    assertThat(Vectors.dot(model.embed(huge), model.embed(huge))).isCloseTo(1.0, within(1e-5));
    String broken = "half a pair \uD83D then \uDE00 and a NUL \u0000 and a bell \u0007 \uFFFF";
    assertThat(Vectors.dot(model.embed(broken), model.embed(broken))).isCloseTo(1.0, within(1e-5));
    assertThat(Vectors.dot(model.embed("😀 日本語のテキスト مرحبا"), model.embed("😀 日本語のテキスト مرحبا")))
        .isCloseTo(1.0, within(1e-5));
  }

  @Test
  void cleaningBoundsLengthAndRepairsText() {
    assertThat(PromptText.clean("x".repeat(10_000))).hasSize(PromptText.MAX_CHARS);
    assertThat(PromptText.clean("a\uD83Db")).isEqualTo("a\uFFFDb");
    assertThat(PromptText.clean("a\u0000b")).isEqualTo("a b");
    assertThat(PromptText.clean("\u0000\u0001 ")).isNull();
    // A surrogate pair straddling the cut is dropped whole, never split.
    assertThat(PromptText.clean("ab\uD83D\uDE00", 3)).isEqualTo("ab");
  }
}
