package io.distillguard.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class CorpusTest {
  private final Corpus corpus = Corpus.fromPairs(BuiltinUpstreamTest.FIXTURE);

  @Test
  void retrievesThePairWhoseQuestionIsClosest() {
    assertThat(corpus.best("what's the capital city of france").answer())
        .isEqualTo(BuiltinUpstreamTest.FIXTURE.get(0).answer());
    assertThat(corpus.best("Can you explain RECURSION to me?").answer())
        .startsWith("Recursion is");
    assertThat(corpus.best("egg boiling, how?").answer()).startsWith("Put the egg");
  }

  @Test
  void topKIsDistinctDeterministicAndCyclesWhenExhausted() {
    List<QaPair> top = corpus.top("speed of light", 4);
    assertThat(top.get(0).answer()).startsWith("About 299,792");
    assertThat(top).doesNotHaveDuplicates().hasSize(4);
    assertThat(corpus.top("speed of light", 4)).isEqualTo(top);
    assertThat(corpus.top("speed of light", 6)).hasSize(6).startsWith(top.toArray(QaPair[]::new));
  }

  @Test
  void promptsWithoutKnownWordsGetAStableHashPick() {
    QaPair pick = corpus.best("zzz qqq");
    assertThat(corpus.best("zzz qqq")).isEqualTo(pick);
    assertThat(corpus.best("")).isIn(BuiltinUpstreamTest.FIXTURE);
  }

  @Test
  void fallbackCorpusIsEmbeddedAndAnswersItsOwnQuestions() {
    Corpus fallback = Corpus.fallback();
    assertThat(fallback.size()).isBetween(35, 60);
    assertThat(fallback.pairs()).anyMatch(p -> p.answer().contains("```"));
    for (QaPair pair : fallback.pairs()) {
      assertThat(fallback.best(pair.question())).as(pair.question()).isEqualTo(pair);
    }
  }

  @Test
  void loadsTheSharedDatasetsWhenPresent() {
    String dir = System.getProperty("distillguard.data");
    Assumptions.assumeTrue(dir != null && Files.isDirectory(Path.of(dir)),
        "shared data directory not found (system property distillguard.data=" + dir
            + "); skipping the dataset loading test");

    Corpus loaded = Corpus.load(Path.of(dir));

    assertThat(loaded.size()).isGreaterThan(1000);
    assertThat(loaded.description()).contains("gsm8k");
    QaPair gsm = loaded.pairs().stream()
        .filter(p -> p.question().startsWith("Natalia sold clips")).findFirst().orElseThrow();
    assertThat(gsm.answer()).doesNotContain("<<").contains("48/2 = 24");
    assertThat(loaded.best(gsm.question())).isEqualTo(gsm);
    assertThat(loaded.pairs()).noneMatch(p -> p.answer().contains("\n\nHuman"));
    assertThat(loaded.pairs()).anyMatch(p -> p.answer().contains(" So the answer is "));
  }

  @Test
  void loadOfAMissingDirectoryFallsBack() {
    assertThat(Corpus.load(Path.of("/nonexistent/distillguard"))).isSameAs(Corpus.fallback());
  }

  @Test
  void firstHumanAndAssistantTurnsAreExtracted() {
    QaPair pair = CorpusLoader.firstHhTurn(
        "\n\nHuman: Why?\n\nAssistant: Because.\n\nHuman: Really?\n\nAssistant: Yes.");
    assertThat(pair).isEqualTo(new QaPair("Why?", "Because."));
    assertThat(CorpusLoader.firstHhTurn("\n\nHuman: Hi\n\nAssistant: Hello.\n\nHuman\n\nHuman: x"))
        .isEqualTo(new QaPair("Hi", "Hello."));
  }
}
